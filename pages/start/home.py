"""Home: what the lab teaches, and the learner's route through every page in the book's order."""

import streamlit as st

from lib.i18n import _
from lib.server.guide_controls import guide_line
from lib.server.navigation import all_pages, route
from ui.layout import wrap_page_links

wrap_page_links()
st.title(_("CNN Lab"))
st.markdown(_(
    "Learn convolutional neural networks by touching every idea of chapters 2 and 3 of *Hands-On Computer Vision "
    "with TensorFlow 2*: every number on these pages is computed while you watch, with the same Keras and "
    "TensorFlow the book uses."
))
for page in all_pages():  # the Start pages besides Home itself: the glossary of the book's terms
    if page.section == "Start" and not page.default:
        st.page_link(page.path, label=f"{_(page.title)}: {_(page.blurb)}", icon=page.icon)

st.subheader(_("Your route through the book"))
st.caption(_("Take the pages in this order: chapter 2's Keras, chapter 3's operations, then LeNet-5 trained and "
             "refined as the book does it, and last a trained network to play with. Each page opens with one line on "
             "what to try there and what you should see, and a link to the next step."))
for step, page in enumerate(route(), start=1):
    st.page_link(page.path, label=f"{step}. {_(page.title)}: {_(page.blurb)}", icon=page.icon)
    book = _(page.book)
    st.caption(f"{book[:1].upper()}{book[1:]}. {guide_line(page.try_this)}")

st.subheader(_("Stuck?"))
st.markdown("\n".join([
    _("- **Optimizers feel abstract?** The Optimizers page starts with gradient descent in one dimension: one step "
      "is the learning rate times the slope, and you can watch a rate too small crawl and one too big diverge."),
    _("- **Why not a dense network?** Why CNNs shifts real test digits by a few pixels and measures both networks."),
    _("- **Why does LeNet-5 take 28 x 28 but a conv layer any size?** Keras basics' last tab answers chapter 2's "
      "open questions by running them."),
]))
st.page_link("pages/chapter2/keras_basics.py", icon=":material/help:",
             label=_("Chapter 2's open questions, answered by running them (Keras basics, last tab)"))
