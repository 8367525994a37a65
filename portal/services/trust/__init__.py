"""Trust: complaints and reports of inaccurate information, the support chat."""
