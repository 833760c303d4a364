"""Book-style code for what a page shows: each page's program is built from the values it computes with."""
