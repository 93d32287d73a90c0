#include "cairn/serving/modelreference.h"

#include "cairn/algorithms/modelcard.h"
#include "cairn/registry/modelregistry.h"
#include "cairn/store/experimentstore.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

namespace cairn::serving {

namespace {

QString fingerprintOf(const QString &modelDir)
{
    const QFileInfo card(QDir(modelDir).filePath(ModelCard::fileName()));
    return QStringLiteral("%1|%2|%3").arg(card.absoluteFilePath()).arg(card.lastModified().toMSecsSinceEpoch()).arg(card.size());
}

QString safeName(QString name)
{
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]+")), QStringLiteral("-"));
    return name;
}

} // namespace

ResolvedReference resolveModelReference(Workspace &workspace, const QString &refIn)
{
    ResolvedReference r;
    QString ref = refIn.trimmed();
    QString explicitName;
    // NAME=REF, unless the whole thing is an existing path.
    if (const qsizetype eq = ref.indexOf(QLatin1Char('=')); eq > 0 && !QFileInfo::exists(ref)) {
        explicitName = ref.left(eq).trimmed();
        ref = ref.mid(eq + 1).trimmed();
    }
    r.ref = ref;
    if (ref.isEmpty())
        throw Error(QStringLiteral("empty model reference"));
    const QFileInfo info(ref);
    if (info.exists()) {
        r.modelDir = ModelCard::folderOf(info.absoluteFilePath());
        if (!QFileInfo::exists(QDir(r.modelDir).filePath(ModelCard::fileName())))
            throw Error(QStringLiteral("%1 holds no model (no %2)").arg(r.modelDir, ModelCard::fileName()));
        const ModelCard card = ModelCard::load(r.modelDir);
        r.runUuid = card.runUuid;
        r.name = QFileInfo(r.modelDir).fileName();
        if (r.name == QLatin1String("model") && !card.runUuid.isEmpty())
            r.name = card.runUuid.left(8);
    } else if (ref.contains(QLatin1Char(':')) || ref.contains(QLatin1Char('@')) || ModelRegistry(workspace).hasModel(ref)) {
        const ResolvedModel m = ModelRegistry(workspace).resolve(ref);
        r.name = m.name;
        r.version = m.version;
        r.modelDir = m.modelDir;
        r.runUuid = m.runUuid;
        r.approval = m.approval;
    } else {
        // A run id (or prefix), as `cairn predict --model` reads it (a tuning run: its best trial's model).
        r.modelDir = resolveModelDir(workspace, ref);
        const ModelCard card = ModelCard::load(r.modelDir);
        r.runUuid = card.runUuid;
        r.name = (card.runUuid.isEmpty() ? ref : card.runUuid).left(8);
    }
    if (r.version == 0)
        r.name = safeName(r.name);
    r.label = explicitName.isEmpty() ? r.name : safeName(explicitName);
    r.fingerprint = QStringLiteral("%1|%2").arg(r.version).arg(fingerprintOf(r.modelDir));
    return r;
}

} // namespace cairn::serving
