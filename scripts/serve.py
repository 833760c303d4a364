"""`streamlit run streamlit_app.py`, with Streamlit's old pages/ mode switched off before the first request.

Streamlit 1.67 decides per server, when the first visitor connects, whether the app is an old-style one with a
pages/ folder (this app has one: it holds the pages that st.navigation lists). Until the entry file has called
st.navigation once, it runs that old mode, so a shared link to a page opened on a freshly started server showed
a "Page not found" dialog before the right page. Setting the flag first, in the server's own process, makes
the first visitor's deep link open like every later one. scripts/run.sh starts the app through this file;
`streamlit run streamlit_app.py` still works, with the dialog on a cold server's first deep link.
"""

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web.cli import main

PagesManager.uses_pages_directory = False  # what the entry file's st.navigation sets on its first run

if __name__ == "__main__":
    sys.argv = ["streamlit", "run", "streamlit_app.py", *sys.argv[1:]]
    sys.exit(main())
