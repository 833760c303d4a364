"""Entry point: page config, navigation and the shared sidebar. Nothing else."""

import streamlit as st

from lib.i18n import _
from lib.server.navigation import page_by_url_path, pages_by_section
from lib.settings import SettingsError, settings
from ui.guide import show_page_guide
from ui.jobs import sidebar_job_status
from ui.language import choose_language, language_switch
from ui.server_process import after_page, before_page, prepare_process, script_run
from ui.workspace import ensure_workspace, show_workspace_link

prepare_process()  # once per process: lib.i18n reads each visitor's language from their session


def main() -> None:
    before_page()  # what earlier runs imported leaves later collections, once no other run is drawing
    choose_language()  # before anything is drawn: every string below is read in this visitor's language
    st.set_page_config(page_title=_("CNN Lab"), page_icon=":material/grid_on:", layout="wide")
    try:  # a CNN_LAB_* value that is not allowed stops every page here, in one line (see lib.settings)
        settings()
    except SettingsError as error:
        st.error(str(error))
        st.stop()
    workspace = ensure_workspace()

    navigation = st.navigation(
        {
            _(section): [  # the address of a page is its file's name, in every language
                st.Page(page.path, title=_(page.title), icon=page.icon, default=page.default)
                for page in pages
            ]
            for section, pages in pages_by_section().items()
        },
        expanded=True,  # every page stays in sight: there are too many for the collapsed list
    )

    language_switch()
    with st.sidebar:
        st.caption(_("An interactive companion to chapters 2 and 3 of *Hands-On Computer Vision with TensorFlow 2* "
                     "(Planche & Andres)."))

    show_workspace_link(workspace)
    sidebar_job_status()

    show_page_guide(page_by_url_path(navigation.url_path))
    try:
        navigation.run()
    finally:  # also when the page stops early (st.stop): its visitor has it; the warm-up starts the first time
        after_page()


with script_run():  # counted while it runs: a freeze never takes another visitor's page with it
    main()
