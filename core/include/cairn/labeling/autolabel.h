#pragma once

#include "cairn/jobs/jobspec.h"
#include "cairn/labeling/labelingtypes.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace cairn::labeling {

class LabelingJob;

/// Automated labeling in the manner of Ground Truth: a classifier trained on the human labels
/// (a training job of the CNN plugin) pre-labels the remaining images. Labels at or above the
/// threshold are kept as machine labels ("human-annotated": "no", status labeled); the others
/// wait for review, least confident first.
struct AutoLabelOptions
{
    int minHumanLabels = 20;     ///< refuse to train on fewer
    double threshold = 0.9;      ///< confidence at which a machine label is accepted
    int epochs = 8;
    QString algorithm = QStringLiteral("cnn");
};

/// The files one auto-labeling round works on, under <job>/autolabel/.
struct AutoLabelRound
{
    QString dir;
    QString trainManifest;       ///< the human labels (Ground Truth output.manifest lines)
    QString unlabeledManifest;   ///< source-ref lines of the images to pre-label
    QList<int> unlabeledItems;   ///< job item indexes, in the order of unlabeledManifest
    int humanLabels = 0;
};

/// Writes the round's manifests. Throws cairn::Error when the job is not single-label, has
/// fewer than options.minHumanLabels human labels or fewer than two classes among them, or
/// nothing is left to label.
AutoLabelRound prepareAutoLabel(LabelingJob &job, const AutoLabelOptions &options = {});

/// The training job of a round: the algorithm on the human labels' manifest.
JobSpec autoLabelJobSpec(const LabelingJob &job, const AutoLabelRound &round, const AutoLabelOptions &options = {});

/// A training job on the job's labels as they are now (human and accepted machine labels),
/// for "Train on these labels": writes <job>/training/<time>.manifest and returns the spec with
/// it as the train channel. Throws cairn::Error for box jobs (no detector plugin) or no labels.
JobSpec trainingSpecFor(LabelingJob &job, const QString &algorithm = QStringLiteral("cnn"));

struct AutoLabelResult
{
    int accepted = 0;     ///< machine labels at or above the threshold
    int toReview = 0;     ///< below: queued for humans
    int skipped = 0;      ///< images a human labeled while the model trained
};

/// Applies a classifier's answers for round.unlabeledItems: classes (the model's class names),
/// labels (index into classes, per row) and probabilities (rows × classes). One transaction.
AutoLabelResult applyPredictions(LabelingJob &job, const AutoLabelRound &round, const QStringList &classes,
                                 const std::vector<int> &labels, const std::vector<float> &probabilities,
                                 double threshold);

} // namespace cairn::labeling
