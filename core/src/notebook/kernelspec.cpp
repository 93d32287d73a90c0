#include "cairn/notebook/kernelspec.h"

#include "cairn/util/error.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSet>
#include <QStandardPaths>

namespace cairn {

namespace {

Q_LOGGING_CATEGORY(lcKernelSpec, "cairn.kernelspec", QtWarningMsg)

QString tr(const char *text)
{
    return QCoreApplication::translate("cairn::KernelSpec", text);
}

} // namespace

QStringList KernelSpec::commandLine(const QString &connectionFile) const
{
    QStringList args;
    for (const QString &arg : argv) {
        QString a = arg;
        a.replace(QLatin1String("{connection_file}"), connectionFile);
        a.replace(QLatin1String("{resource_dir}"), directory);
        args.append(a);
    }
    // A kernelspec installed by a system package names the system interpreter; a bare "python3"
    // would pick whatever is first on PATH (a pyenv or venv without ipykernel).
    if (!args.isEmpty() && (args.first() == QLatin1String("python3") || args.first() == QLatin1String("python"))) {
        QString resolved;
        if (directory.startsWith(QLatin1String("/usr/share/")) && QFileInfo::exists(QStringLiteral("/usr/bin/python3")))
            resolved = QStringLiteral("/usr/bin/python3");
        else if (directory.startsWith(QLatin1String("/usr/local/share/")) && QFileInfo::exists(QStringLiteral("/usr/local/bin/python3")))
            resolved = QStringLiteral("/usr/local/bin/python3");
        else
            resolved = QStandardPaths::findExecutable(args.first());
        if (!resolved.isEmpty())
            args.first() = resolved;
    }
    return args;
}

QStringList KernelSpec::searchPaths()
{
    QStringList roots;
    const QString jupyterPath = qEnvironmentVariable("JUPYTER_PATH");
    for (const QString &entry : jupyterPath.split(QDir::listSeparator(), Qt::SkipEmptyParts))
        roots.append(entry);
    QString dataDir = qEnvironmentVariable("JUPYTER_DATA_DIR");
    if (dataDir.isEmpty()) {
        const QString xdg = qEnvironmentVariable("XDG_DATA_HOME");
        dataDir = (xdg.isEmpty() ? QDir::homePath() + QStringLiteral("/.local/share") : xdg) + QStringLiteral("/jupyter");
    }
    roots.append(dataDir);
    roots.append(QStringLiteral("/usr/local/share/jupyter"));
    roots.append(QStringLiteral("/usr/share/jupyter"));
    QStringList paths;
    for (const QString &root : roots) {
        const QString path = QDir::cleanPath(root + QStringLiteral("/kernels"));
        if (!paths.contains(path))
            paths.append(path);
    }
    return paths;
}

KernelSpec KernelSpec::load(const QString &directory)
{
    const QString path = directory + QStringLiteral("/kernel.json");
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(tr("%1: cannot read the kernelspec: %2").arg(path, file.errorString()));
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        throw Error(tr("%1: not a kernelspec: %2").arg(path, parseError.errorString()));
    const QJsonObject object = document.object();
    KernelSpec spec;
    spec.name = QFileInfo(directory).fileName();
    spec.directory = QFileInfo(directory).absoluteFilePath();
    for (const QJsonValue &arg : object.value(QLatin1String("argv")).toArray())
        spec.argv.append(arg.toString());
    if (spec.argv.isEmpty())
        throw Error(tr("%1: the kernelspec has no \"argv\"").arg(path));
    spec.displayName = object.value(QLatin1String("display_name")).toString(spec.name);
    spec.language = object.value(QLatin1String("language")).toString();
    spec.interruptMode = object.value(QLatin1String("interrupt_mode")).toString(QStringLiteral("signal"));
    const QJsonObject env = object.value(QLatin1String("env")).toObject();
    for (auto it = env.begin(); it != env.end(); ++it)
        spec.env.insert(it.key(), it.value().toString());
    spec.metadata = object.value(QLatin1String("metadata")).toObject();
    return spec;
}

QList<KernelSpec> KernelSpec::findAll()
{
    QList<KernelSpec> specs;
    QSet<QString> seen;
    for (const QString &path : searchPaths()) {
        const QDir dir(path);
        const QStringList names = dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        for (const QString &name : names) {
            if (seen.contains(name.toLower()) || !QFileInfo::exists(dir.filePath(name + QStringLiteral("/kernel.json"))))
                continue;
            try {
                specs.append(load(dir.filePath(name)));
                seen.insert(name.toLower());
            } catch (const Error &e) {
                qCWarning(lcKernelSpec).noquote() << e.message();
            }
        }
    }
    return specs;
}

KernelSpec KernelSpec::find(const QString &name)
{
    for (const KernelSpec &spec : findAll()) {
        if (spec.name.compare(name, Qt::CaseInsensitive) == 0)
            return spec;
    }
    return {};
}

} // namespace cairn
