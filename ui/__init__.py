"""Streamlit pieces the pages share: pickers, charts, job views, texts, the model cache. Not pages.

The only Streamlit code outside pages/. May import lib; pages import it. Never imports keras at module level.
"""
