#include "cairn/labeling/autolabel.h"

#include "cairn/labeling/labelformats.h"
#include "cairn/labeling/labelingjob.h"
#include "cairn/util/error.h"

#include <QDateTime>
#include <QDir>
#include <QSaveFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace cairn::labeling {

namespace {

void writeLines(const QString &path, const QStringList &lines)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("%1: cannot write: %2").arg(path, f.errorString()));
    for (const QString &l : lines) {
        f.write(l.toUtf8());
        f.write("\n");
    }
    if (!f.commit())
        throw Error(QStringLiteral("%1: cannot write: %2").arg(path, f.errorString()));
}

QString sourceRefLine(const Item &item)
{
    // Local absolute paths: the worker may run in another folder.
    return QStringLiteral("{\"source-ref\": %1}").arg(QString::fromUtf8(QJsonDocument(QJsonArray{item.source}).toJson(QJsonDocument::Compact)).mid(1).chopped(1));
}

} // namespace

AutoLabelRound prepareAutoLabel(LabelingJob &job, const AutoLabelOptions &options)
{
    if (job.type() != TaskType::SingleLabel)
        throw Error(QStringLiteral("auto-labeling trains an image classifier: job '%1' is %2, not single-label")
                        .arg(job.name(), taskTypeName(job.type())));
    AutoLabelRound round;
    round.dir = QDir(job.dir()).filePath(QStringLiteral("autolabel"));
    if (!QDir().mkpath(round.dir))
        throw Error(QStringLiteral("cannot create folder %1").arg(round.dir));
    round.trainManifest = QDir(round.dir).filePath(QStringLiteral("train.manifest"));
    round.unlabeledManifest = QDir(round.dir).filePath(QStringLiteral("unlabeled.manifest"));
    QStringList train, unlabeled;
    QSet<int> classesSeen;
    ExportOptions humanOnly;
    humanOnly.labeledOnly = true;
    for (int i = 0; i < job.itemCount(); ++i) {
        const Item &item = job.item(i);
        if (item.status == ItemStatus::Labeled && item.annotation.human && !item.annotation.classes.isEmpty()) {
            Item copy = item;
            copy.sourceRef = item.source;
            train << manifestLine(job, copy, humanOnly);
            classesSeen.insert(item.annotation.classes.first());
        } else if (item.status == ItemStatus::Unlabeled || (item.status == ItemStatus::NeedsReview && !item.annotation.human)
                   || (item.status == ItemStatus::Labeled && !item.annotation.human)) {
            // Earlier machine labels are redone by the new, better-trained model.
            unlabeled << sourceRefLine(item);
            round.unlabeledItems << i;
        }
    }
    round.humanLabels = int(train.size());
    if (round.humanLabels < options.minHumanLabels)
        throw Error(QStringLiteral("job '%1' has %2 human labels; auto-labeling needs at least %3")
                        .arg(job.name()).arg(round.humanLabels).arg(options.minHumanLabels));
    if (classesSeen.size() < 2)
        throw Error(QStringLiteral("the human labels of job '%1' use %2 class; a classifier needs at least two")
                        .arg(job.name()).arg(classesSeen.size()));
    if (unlabeled.isEmpty())
        throw Error(QStringLiteral("every image of job '%1' has a human label or was skipped: nothing to pre-label").arg(job.name()));
    writeLines(round.trainManifest, train);
    writeLines(round.unlabeledManifest, unlabeled);
    return round;
}

JobSpec autoLabelJobSpec(const LabelingJob &job, const AutoLabelRound &round, const AutoLabelOptions &options)
{
    JobSpec spec;
    spec.algorithm = options.algorithm;
    data::ChannelSpec train;
    train.type = data::ChannelSpec::Type::Manifest;
    train.path = round.trainManifest;
    train.labelAttribute = job.settings().labelAttribute;
    spec.channels.insert(QStringLiteral("train"), train);
    spec.task = QStringLiteral("image-classification");
    if (options.epochs > 0)
        spec.hyperparameters.insert(QStringLiteral("epochs"), options.epochs);
    spec.experiment = QStringLiteral("labeling");
    spec.runName = QStringLiteral("autolabel-%1").arg(job.name());
    return spec;
}

JobSpec trainingSpecFor(LabelingJob &job, const QString &algorithm)
{
    if (job.type() != TaskType::SingleLabel)
        throw Error(QStringLiteral("job '%1' is %2; the training plugins classify whole images with one label (export the labels "
                                   "with cairn label export for other tools)")
                        .arg(job.name(), taskTypeName(job.type())));
    const QString dir = QDir(job.dir()).filePath(QStringLiteral("training"));
    if (!QDir().mkpath(dir))
        throw Error(QStringLiteral("cannot create folder %1").arg(dir));
    const QString path = QDir(dir).filePath(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")) + QStringLiteral(".manifest"));
    ExportOptions options;
    options.labeledOnly = true;
    QStringList lines;
    for (const Item &item : job.items()) {
        // Labeled images: human ones and machine labels accepted at the threshold.
        if (item.status != ItemStatus::Labeled || item.annotation.classes.isEmpty())
            continue;
        Item copy = item;
        copy.sourceRef = item.source;
        lines << manifestLine(job, copy, options);
    }
    if (lines.isEmpty())
        throw Error(QStringLiteral("job '%1' has no labeled images to train on").arg(job.name()));
    writeLines(path, lines);
    JobSpec spec;
    spec.algorithm = algorithm;
    data::ChannelSpec train;
    train.type = data::ChannelSpec::Type::Manifest;
    train.path = path;
    train.labelAttribute = job.settings().labelAttribute;
    spec.channels.insert(QStringLiteral("train"), train);
    spec.task = QStringLiteral("image-classification");
    spec.experiment = QStringLiteral("labeling");
    spec.runName = QStringLiteral("%1-labels").arg(job.name());
    return spec;
}

AutoLabelResult applyPredictions(LabelingJob &job, const AutoLabelRound &round, const QStringList &classes, const std::vector<int> &labels,
                                 const std::vector<float> &probabilities, double threshold)
{
    const qsizetype rows = round.unlabeledItems.size();
    if (qsizetype(labels.size()) != rows)
        throw Error(QStringLiteral("the model answered for %1 images but %2 were asked").arg(labels.size()).arg(rows));
    const qsizetype k = classes.size();
    const bool haveProbabilities = qsizetype(probabilities.size()) == rows * k;
    QList<int> classOf;
    for (const QString &name : classes) {
        const int id = job.classId(name);
        if (id < 0)
            throw Error(QStringLiteral("the model predicts class '%1', which job '%2' does not have").arg(name, job.name()));
        classOf << id;
    }
    AutoLabelResult result;
    QList<LabelingJob::Update> updates;
    for (qsizetype r = 0; r < rows; ++r) {
        const int index = round.unlabeledItems.at(r);
        const Item &item = job.item(index);
        // A person may have labeled it while the model trained: theirs wins.
        if (item.annotation.human && item.status != ItemStatus::Unlabeled) {
            ++result.skipped;
            continue;
        }
        const int predicted = labels[size_t(r)];
        if (predicted < 0 || predicted >= k)
            throw Error(QStringLiteral("the model's answer %1 for %2 is not a class").arg(predicted).arg(item.source));
        const double confidence = haveProbabilities ? probabilities[size_t(r * k + predicted)] : 0.0;
        Annotation a;
        a.classes = {classOf.at(predicted)};
        a.confidences = {confidence};
        a.human = false;
        const bool accept = confidence >= threshold;
        updates << LabelingJob::Update{index, accept ? ItemStatus::Labeled : ItemStatus::NeedsReview, a, {}};
        ++(accept ? result.accepted : result.toReview);
    }
    job.apply(updates);
    return result;
}

} // namespace cairn::labeling
