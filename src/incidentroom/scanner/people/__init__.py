"""From findings to people: records per document, names, linkage and the individuals."""
