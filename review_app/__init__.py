"""The Streamlit review app (issue 5): the only package that imports Streamlit.

Not built yet. What it will work on already exists in the working store: every record keeps,
per field, the value, the raw OCR text, a confidence, the cell's crop box on the cleaned page
image (content-addressed under <data_dir>/images) and the flags that explain why it was routed
to review (see mapping.flags.describe for their wording).
"""
