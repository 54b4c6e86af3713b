"""What a scan writes: the output files and report.html."""
