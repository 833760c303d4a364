"""What each Keras callback does, and the Training page option that turns it on. Not a page itself.

The texts are English, marked for the catalog: the page translates them where it shows them.
"""

from lib.i18n import N_

CALLBACKS = {
    "CSVLogger": (N_("writes one CSV row per epoch with every metric."),
                  N_("always on: each run's history.csv has the same columns, and the History page reads CSVLogger "
                     "files too")),
    "EarlyStopping": (N_("stops training when the monitored value has not improved for `patience` epochs, and can "
                         "restore the best epoch's weights."), N_("Early stopping > EarlyStopping")),
    "LearningRateScheduler": (N_("sets the learning rate at the start of each epoch from a function of the epoch."),
                              N_("Learning-rate callbacks > LearningRateScheduler")),
    "ReduceLROnPlateau": (N_("multiplies the learning rate by a factor when val_loss stops improving."),
                          N_("Learning-rate callbacks > ReduceLROnPlateau")),
    "TensorBoard": (N_("writes event files that TensorBoard plots."),
                    N_("always on: logs go to the run's tb/ folder")),
}
