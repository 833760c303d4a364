"""What each Keras callback does, and the Training page option that turns it on. Not a page itself."""

CALLBACKS = {
    "CSVLogger": ("writes one CSV row per epoch with every metric.",
                  "always on: each run's history.csv has the same columns, and the History page reads CSVLogger "
                  "files too"),
    "EarlyStopping": ("stops training when the monitored value has not improved for `patience` epochs, and can "
                      "restore the best epoch's weights.", "Early stopping > EarlyStopping"),
    "LearningRateScheduler": ("sets the learning rate at the start of each epoch from a function of the epoch.",
                              "Learning-rate callbacks > LearningRateScheduler"),
    "ReduceLROnPlateau": ("multiplies the learning rate by a factor when val_loss stops improving.",
                          "Learning-rate callbacks > ReduceLROnPlateau"),
    "TensorBoard": ("writes event files that TensorBoard plots.", "always on: logs go to the run's tb/ folder"),
}
