"""paperclaims: ML paper listings -> a validated, versioned benchmark-results dataset."""

__version__ = "0.1.0"
