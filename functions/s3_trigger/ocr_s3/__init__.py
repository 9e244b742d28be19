"""S3 edge: OCR every object created under the input prefix, results written under the output prefix."""
