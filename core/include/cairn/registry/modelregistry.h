#pragma once

#include "cairn/store/comparisonrow.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace cairn {

class Workspace;

/// SageMaker Model Registry's approval states. A new version starts PendingManualApproval.
enum class Approval { PendingManualApproval, Approved, Rejected };
QString approvalName(Approval approval);
/// Parses "Approved", "approved", …; nullopt for anything else.
std::optional<Approval> approvalFromName(const QString &name);

/// What a reference ("churn", "churn:3", "churn@champion") names.
struct ResolvedModel
{
    QString name;
    int version = 0;
    QString modelDir; ///< folder holding model.json, loadable with loadPredictor() (cairn/algorithms/modelloader.h)
    QString runUuid;  ///< the run the version came from; empty for a version registered from a folder
    QString approval; ///< approvalName() of the version's status
};

/// One entry of a version's approval trail: entries are only ever appended.
struct ApprovalEvent
{
    QString status; ///< approvalName()
    QString by;
    qint64 time = 0; ///< ms since the epoch
    QString comment;
};

/// One version of a registered model.
struct ModelVersion
{
    QString name;
    int version = 0;
    QString approval;       ///< approvalName()
    QString source;         ///< "run" or "folder"
    QString sourceRef;      ///< the run's uuid, or the folder it was copied from
    QString runUuid;        ///< empty for a folder without a run
    QString modelDir;       ///< absolute: <workspace>/models/<name>/<version>
    QString description;
    QString createdBy;
    qint64 createdAt = 0;
    QStringList aliases;    ///< aliases that point at this version
    QMap<QString, QString> tags;
    /// Where the version came from: {"run": {...}, "job", "spec", "algorithm", "task", "target",
    /// "hyperparameters", "channels": [{"name", "type", "path", "sha256", "bytes", "files"}],
    /// "metrics": {key: number}, "model_sha256", "cairn_version", "source", "source_path"}.
    QJsonObject lineage;
};

/// A registered model: a name with auto-numbered versions.
struct RegisteredModel
{
    QString name;
    QString description;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
    int latestVersion = 0;       ///< 0 when every version was deleted
    int versionCount = 0;
    QMap<QString, int> aliases;  ///< alias → version
    QMap<QString, QString> tags;
    QString latestApproval;      ///< approvalName() of the latest version; empty without versions
};

/// The editable text of a version's model card. Lineage facts (algorithm, data hashes, metric
/// values, Cairn version) are added by cardJson()/cardMarkdown() and are not edited here.
struct ModelCardText
{
    QString intendedUse;
    QString trainingData;
    QString metrics;      ///< notes on the metrics (the values come from the lineage)
    QString limitations;
    QString updatedBy;
    qint64 updatedAt = 0;
};

/// Versions side by side: one row per attribute, hyperparameter, metric, data channel hash and
/// tag. A metric row over all versions is that metric's trend.
struct VersionComparison
{
    QString name;
    QList<int> versions;
    using Row = ComparisonRow; ///< sections "attributes", "hyperparameters", "metrics", "data", "tags"; one value per version
    QList<Row> rows;

    QJsonObject toJson(bool onlyDifferences = false) const;
    QString toText(bool onlyDifferences = false) const;
    /// The row of one metric (nullptr when no version has it).
    const Row *metric(const QString &key) const;
};

/// A running endpoint that serves a version (read from <workspace>/endpoints/<name>.json, kept
/// by `cairn serve`, through serving::EndpointRecord; only entries whose process is alive on
/// this machine count).
struct EndpointUse
{
    QString endpoint;
    qint64 pid = 0;
    QString host;
    int port = 0;
};

/// The workspace's model registry (MLflow's registered models and SageMaker's model package
/// groups), stored in cairn.db (schema 0004) with each version's files under
/// <workspace>/models/<name>/<version>/.
///
/// Registering copies the model folder there, so a version stays loadable when its run or
/// its artifacts are deleted; the copy is never written again (delete the version instead).
/// References: "NAME" (the latest version), "NAME:3", "NAME@alias", "NAME@latest", and
/// MLflow's "models:/NAME/3", "models:/NAME@alias".
///
/// Uses the workspace's store, so it belongs to the workspace's thread like the store itself.
/// Every method throws cairn::Error with a message a user can act on.
class ModelRegistry
{
public:
    explicit ModelRegistry(Workspace &workspace);

    /// Names are 1-64 characters of letters, digits, '.', '_' and '-', starting with a letter
    /// or digit (they name folders and sit in references before ':' and '@').
    static bool isValidName(const QString &name);
    /// Aliases: a letter, then letters, digits, '_' or '-'; "latest" is reserved.
    static bool isValidAlias(const QString &alias);
    /// $USER (or $LOGNAME, else the login name of this process's user), for who approved or
    /// registered when the caller has no better name.
    static QString currentUser();

    /// Resolves "NAME", "NAME:3", "NAME@alias" (see the class comment).
    ResolvedModel resolve(const QString &ref) const;

    QList<RegisteredModel> models() const;
    RegisteredModel model(const QString &name) const;
    bool hasModel(const QString &name) const;
    /// Oldest first.
    QList<ModelVersion> versions(const QString &name) const;
    ModelVersion version(const QString &ref) const;
    /// The versions registered from this run (full uuid), e.g. to show "registered as churn:3".
    QList<ModelVersion> versionsOfRun(const QString &runUuid) const;
    /// True when the version's files still hash to the SHA-256 recorded at registration.
    bool filesIntact(const ModelVersion &version) const;

    struct RegisterOptions
    {
        QString description;
        QMap<QString, QString> tags;
        QString by; ///< empty: currentUser()
    };
    /// Registers the model of a run as the next version of `name` (created if new). `runRef` is
    /// a run id or prefix whose artifacts hold model/ (a tuning run: its best trial's model; an
    /// AutoML run: the winner), as `cairn predict --model RUN` resolves it.
    ModelVersion registerRun(const QString &name, const QString &runRef, const RegisterOptions &options = {});
    /// Registers a model folder (or its model.json); the lineage is the card's (and its run's,
    /// when the card names a run of this workspace).
    ModelVersion registerFolder(const QString &name, const QString &modelPath, const RegisterOptions &options = {});

    /// Sets the version's approval and appends (status, by, now, comment) to its trail.
    /// Rejecting a version that an alias points at is refused (move the alias first).
    ModelVersion setApproval(const QString &ref, Approval approval, const QString &by, const QString &comment = {});
    /// Oldest first; the first entry is the registration (PendingManualApproval).
    QList<ApprovalEvent> approvalTrail(const QString &ref) const;

    /// Points `alias` of model `name` at `version` (moving it if it pointed elsewhere); refused
    /// for a Rejected version.
    void setAlias(const QString &name, const QString &alias, int version);
    void deleteAlias(const QString &name, const QString &alias);

    void setModelTag(const QString &name, const QString &key, const QString &value);
    void deleteModelTag(const QString &name, const QString &key);
    void setVersionTag(const QString &ref, const QString &key, const QString &value);
    void deleteVersionTag(const QString &ref, const QString &key);
    void setModelDescription(const QString &name, const QString &description);
    void setVersionDescription(const QString &ref, const QString &description);

    ModelCardText card(const QString &ref) const;
    void setCard(const QString &ref, ModelCardText card);
    /// The card with facts from the version's lineage: {"model", "version", "approval",
    /// "aliases", "algorithm", "task", "target", "intended_use", "training_data": {"notes",
    /// "channels"}, "metrics": {"notes", "values"}, "hyperparameters", "limitations", "run",
    /// "model_sha256", "cairn_version", "approval_history", ...}.
    QJsonObject cardJson(const QString &ref) const;
    QString cardMarkdown(const QString &ref) const;

    /// The versions given (all when empty, oldest first) side by side.
    VersionComparison compare(const QString &name, const QList<int> &versions = {}) const;

    /// Live endpoints that serve this version.
    QList<EndpointUse> endpointsServing(const QString &name, int version) const;
    /// Deletes a version (its aliases and files too). Refused while an endpoint serves it.
    void deleteVersion(const QString &ref);
    /// Deletes a model with every version. Refused while an endpoint serves any of them.
    void deleteModel(const QString &name);

    /// <workspace>/models
    QString modelsRoot() const;
    /// <workspace>/endpoints, where `cairn serve` records running endpoints.
    QString endpointsDir() const;

private:
    ModelVersion registerCopy(const QString &name, const QString &sourceKind, const QString &sourceRef, const QString &runUuid,
                              const QString &dir, QJsonObject lineage, const RegisterOptions &options);
    Workspace *m_workspace;
};

/// The model folder that `ref` names: an existing model folder or model.json, a registered
/// model reference (when a model of that name is registered, or `ref` holds ':' or '@'), or a
/// run id (prefix) whose artifacts hold model/ (for a tuning run without one: its best
/// trial's). This is what `cairn predict --model` and `cairn serve --model` accept.
QString resolveModelDir(Workspace &workspace, const QString &ref);

/// SHA-256 (hex) of a file's content, or of a folder's files (relative paths and contents, in
/// path order). Throws cairn::Error when it cannot be read.
QString contentSha256(const QString &path);

} // namespace cairn
