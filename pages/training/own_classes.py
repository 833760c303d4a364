"""Your own classes: define classes, add drawn or uploaded examples, train LeNet-5 on them, read new ones."""

import streamlit as st

from lib.i18n import _, ngettext
from ui.own_classes.adders import show_draw_adder, show_preparation, show_upload_adder, show_zip_loader
from ui.own_classes.data_set import example_set, total_examples
from ui.own_classes.results import choose_run, show_results
from ui.own_classes.set_view import show_classes, show_download, show_grid
from ui.own_classes.training import show_training

st.title(_("Your own classes"))
st.markdown(_("MNIST's ten digits are one data set; here you make your own. Name two to ten classes, give each "
              "a few examples (drawn, uploaded, or a zip of class folders as Keras's `image_dataset_from_directory` "
              "reads them), and LeNet-5 learns to tell them apart with the Training page's optimizers and "
              "regularizers. Every image is brought to 28 x 28: by default white on black, the way the Draw page "
              "prepares a digit, or only resized if you choose so below."))
examples = example_set()

st.subheader(_("1. Your classes"))
show_classes()

st.subheader(_("2. Examples"))
st.caption(_("The training presets are made for 10 to 60 examples per class. Vary them as new ones will vary: "
             "size, place, slant."))
show_preparation()
draw_tab, upload_tab, zip_tab = st.tabs([_("Draw"), _("Upload images"), _("Upload a zip of class folders")])
with draw_tab:
    show_draw_adder()
with upload_tab:
    show_upload_adder()
with zip_tab:
    show_zip_loader()

total = total_examples(examples)
st.markdown(ngettext("#### Your data set: {count:,} example", "#### Your data set: {count:,} examples", total).format(
    count=total))
st.caption(_("Kept with your workspace as you add to it: a reload, another tab or another day in this browser "
             "shows it. Download it to keep a copy elsewhere, and load the zip back here later."))
show_grid()
show_download()

st.subheader(_("3. Train"))
finished = show_training(examples)

st.subheader(_("4. Results"))
chosen = choose_run(finished)
if chosen is None:
    st.info(_("Train a run on your classes: its accuracy, its confusion matrix and the examples it gets wrong "
              "appear here, and you can draw new examples for it to read."))
else:
    show_results(chosen, metrics_shown=chosen == finished)
