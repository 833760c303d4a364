"""The Keras basics page's open questions (the page is pages/chapter2/keras_basics.py; none of these is a page).

open_questions: three things chapter 2 states, answered by running them.
resize: why images are resized at all, answered on the shipped LeNet-5.
"""
