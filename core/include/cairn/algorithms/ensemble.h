#pragma once

#include "cairn/algorithms/algorithmplugin.h"
#include "cairn/algorithms/modelcard.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <memory>
#include <vector>

namespace cairn {

class PluginManager;

/// One model of an ensemble: its folder (relative to the ensemble's folder) and weight.
struct EnsembleMember
{
    QString path;
    double weight = 1;
};

/// A transform of a regression target that models learn instead of the target itself, so that a
/// heavy-tailed target (prices, performance figures) is not fitted to its few largest rows.
/// Stored in an ensemble card's extra.targetTransform: the ensemble averages its members on the
/// learnt scale, then maps back. Only "log1p" exists: learnt log(1 + y), mapped back with expm1
/// after clamping to [low, high] on the learnt scale, so that a model that extrapolates (linear,
/// MLP) cannot turn a large learnt value into an exponentially larger prediction.
struct TargetTransform
{
    QString name;                 ///< empty: none
    double low = -1e300;          ///< clamp bounds on the learnt scale
    double high = 1e300;

    bool isNone() const { return name.isEmpty(); }
    double forward(double y) const;
    double inverse(double learnt) const;
    QJsonObject toJson() const;
    /// Throws cairn::Error for a transform this build does not know.
    static TargetTransform fromJson(const QJsonObject &json);
    /// log1p with bounds one unit (a factor e) beyond the learnt range of `values`.
    static TargetTransform log1p(const std::vector<double> &values);
};

/// A learnt combination of an ensemble's members (a one-level stack), stored in the card's
/// extra.stack; the members' own weights are then ignored. "linear" (regression): intercept +
/// Σ weight × member prediction. "logpool" (classes): softmax over classes of bias + Σ weight ×
/// log(max(member probability, floor)). Weights may be negative; one per member, in card order.
struct StackCombiner
{
    QString combine;              ///< empty: none (the weighted average)
    std::vector<double> weights;  ///< per member
    double intercept = 0;         ///< linear
    std::vector<double> bias;     ///< logpool: per class of the card
    double floor = 1e-4;          ///< logpool: probabilities below it count as it

    bool isNone() const { return combine.isEmpty(); }
    QJsonObject toJson() const;
    /// Throws cairn::Error when the object does not fit `members` members and `classes`
    /// classes (0 for regression).
    static StackCombiner fromJson(const QJsonObject &json, qsizetype members, qsizetype classes);
    /// One row: `memberOutputs` holds each member's value (regression) or its k class
    /// probabilities (member-major); writes 1 or k outputs.
    void combineRow(const double *memberOutputs, qsizetype k, double *out) const;
};

/// True for a card written by saveEnsembleModel (plugin "cairn", algorithm "ensemble").
bool isEnsembleCard(const ModelCard &card);
/// The members a card lists in extra.members; throws cairn::Error when it lists none.
QList<EnsembleMember> ensembleMembers(const ModelCard &card);

/// Writes an ensemble model into `dir`: each source model folder is copied to members/<n>/ (so
/// the folder is self-contained) and `card` (task, target, classes, input schema, metrics...) is
/// saved with plugin "cairn", algorithm "ensemble" and extra.members filled in. Weights are
/// normalised to sum to 1. Throws cairn::Error when a copy fails.
void saveEnsembleModel(const QString &dir, ModelCard card, const QList<EnsembleMember> &sources);

/// Copies a folder recursively (replacing `to`); throws cairn::Error on failure.
void copyFolder(const QString &from, const QString &to);

/// A weighted average of models: class probabilities aligned by class name (the label is the
/// most probable class) or regression values. Members load through loadPredictor, so a member
/// may itself be an ensemble.
class EnsemblePredictor : public Predictor
{
public:
    EnsemblePredictor(PluginManager &plugins, ModelCard card, const QString &dir);
    ~EnsemblePredictor() override;

    Predictions predict(const PredictionInput &input) override;
    /// The weighted sum of the members' own contributions when every member has them in the
    /// same space (e.g. SHAP values of tree models, which then explain the weighted average of
    /// the members' margins); nullopt otherwise, so callers explain the ensemble as a whole.
    std::optional<Contributions> contributions(const PredictionInput &input) override;

    qsizetype memberCount() const { return qsizetype(m_members.size()); }

private:
    struct Member
    {
        std::unique_ptr<Predictor> predictor;
        ModelCard card;
        double weight = 0;
    };
    ModelCard m_card;
    Task m_task = Task::Regression;
    TargetTransform m_transform;
    StackCombiner m_stack;
    std::vector<Member> m_members;
};

} // namespace cairn
