"""The engine: one `map_batches(fn, batches)` seam with a local process pool and Dask behind it.

engine (`map_batches`, the local pool), dask_engine (the same call on a Dask cluster).
"""
