"""Training, export and quantization of the CRNN (torch: the `train` extra only).

Nothing in the serving path imports this package; it imports the inference core's
charset, CTC decoding, preprocessing and tensorization so both sides agree.
"""
