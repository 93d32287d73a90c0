#include "displaytext.h"

#include <QDateTime>

namespace cairn::gui {

namespace {

// The bundled plugins' names and descriptions, so that lupdate collects them: plugins are
// GUI-free and speak English; the studio looks their texts up here.
[[maybe_unused]] const char *const kPluginTexts[] = {
    QT_TRANSLATE_NOOP("cairn::gui::DisplayText", "XGBoost (gradient-boosted trees)"),
    QT_TRANSLATE_NOOP("cairn::gui::DisplayText",
                      "Gradient-boosted decision trees for tables: classification and regression, missing values handled natively."),
    QT_TRANSLATE_NOOP("cairn::gui::DisplayText", "Linear learner (linear / logistic / softmax regression)"),
    QT_TRANSLATE_NOOP("cairn::gui::DisplayText",
                      "A linear model trained with mini-batch gradient descent, with L1 and L2 penalties; logistic for two classes, "
                      "softmax for more, least squares for numbers."),
    QT_TRANSLATE_NOOP("cairn::gui::DisplayText", "Multilayer perceptron for tables"),
    QT_TRANSLATE_NOOP("cairn::gui::DisplayText",
                      "Fully connected layers with dropout for tabular classification and regression; inputs are standardised and "
                      "one-hot encoded."),
    QT_TRANSLATE_NOOP("cairn::gui::DisplayText", "Convolutional network for images"),
    QT_TRANSLATE_NOOP("cairn::gui::DisplayText",
                      "The classic two-convolution MNIST network (conv 3×3 ×2, max-pool, dropout, two dense layers) for IDX files, "
                      "image folders or labeling manifests."),
    QT_TRANSLATE_NOOP("cairn::gui::DisplayText", "k-means clustering"),
    QT_TRANSLATE_NOOP("cairn::gui::DisplayText",
                      "Groups rows (or IDX images) into k clusters; reports inertia per iteration and purity when labels exist."),
    QT_TRANSLATE_NOOP("cairn::gui::DisplayText", "k-nearest neighbours"),
    QT_TRANSLATE_NOOP("cairn::gui::DisplayText",
                      "Predicts from the k most similar training rows (standardised features, imputed missing values)."),
};

} // namespace

QString DisplayText::runStatus(RunStatus status)
{
    switch (status) {
    case RunStatus::Scheduled: return tr("Scheduled");
    case RunStatus::Running: return tr("Running");
    case RunStatus::Finished: return tr("Finished");
    case RunStatus::Failed: return tr("Failed");
    case RunStatus::Killed: return tr("Killed");
    }
    return {};
}

QString DisplayText::task(Task task)
{
    switch (task) {
    case Task::Binary: return tr("binary classification");
    case Task::Multiclass: return tr("multiclass classification");
    case Task::Regression: return tr("regression");
    case Task::Clustering: return tr("clustering");
    case Task::ImageClassification: return tr("image classification");
    }
    return taskName(task);
}

QString DisplayText::task(const QString &taskId)
{
    const std::optional<Task> t = taskFromName(taskId);
    return t ? task(*t) : taskId;
}

QString DisplayText::dateTime(qint64 msecsSinceEpoch, QLocale::FormatType format)
{
    if (msecsSinceEpoch <= 0)
        return {};
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch), format);
}

QString DisplayText::pluginText(const QString &english)
{
    return english.isEmpty() ? english : QCoreApplication::translate("cairn::gui::DisplayText", english.toUtf8().constData());
}

} // namespace cairn::gui
