"""Running a scan: plan and walk the inputs, hash, spill detections to parts, checkpoint."""
