"""Tools over a finished release: explain a claim, diff two releases, evaluate against gold,
load every table into pandas."""
