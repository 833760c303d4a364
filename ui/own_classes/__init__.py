"""Your own classes, the feature's pieces (the page is pages/training/own_classes.py; none of these is a page).

data_set: the learner's set as plain data kept with the workspace, and the functions that change it.
messages: the one message shown where the learner acted, and fresh widget keys.
set_view: the set as it stands: its classes, its examples as thumbnails, its download.
adders: drawn, uploaded and zipped examples, and how an image becomes an example.
training: LeNet-5 trained on the set through the Train page's form and job queue.
results: what a trained run learned, and new examples read with it.
"""
