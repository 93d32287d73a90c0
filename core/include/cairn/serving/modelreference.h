#pragma once

#include <QString>

namespace cairn {
class Workspace;
}

namespace cairn::serving {

/// What a `--model` reference names once resolved.
struct ResolvedReference
{
    QString ref;       ///< as given: "churn", "churn:3", "churn@champion", a run id or a folder
    QString name;      ///< registered model name, else a name derived from the run or folder
    QString label;     ///< what routes call it: NAME of "NAME=REF", else `name`
    int version = 0;   ///< registered version (0 when the model is not from the registry)
    QString modelDir;
    QString runUuid;
    QString approval;
    /// A fingerprint of what the reference points at now (folder and model.json time/size): a
    /// change means the endpoint should load the model again.
    QString fingerprint;
};

/// Resolves a model reference: a registered model ("NAME", "NAME:VERSION", "NAME@ALIAS"), a
/// model folder (or its model.json), or a run id (or prefix) whose artifacts hold model/.
/// `NAME=REF` names the model explicitly (for /models/NAME/invocations). Throws cairn::Error.
ResolvedReference resolveModelReference(Workspace &workspace, const QString &ref);

} // namespace cairn::serving
