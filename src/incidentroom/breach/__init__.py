"""Personal data breaches: assessment, the scan of the stolen copy, the individuals found,
reports to regulators and partners, and the Art 34 letters, emails and public notice."""
