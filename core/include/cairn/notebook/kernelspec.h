#pragma once

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace cairn {

/// A Jupyter kernelspec (kernel.json in a folder named after the kernel).
struct KernelSpec
{
    QString name;         ///< folder name, e.g. "python3"
    QString directory;    ///< the folder holding kernel.json
    QStringList argv;     ///< with "{connection_file}" still in it
    QString displayName;
    QString language;
    QString interruptMode = QStringLiteral("signal"); ///< "signal" or "message"
    QMap<QString, QString> env;
    QJsonObject metadata;

    bool isValid() const { return !name.isEmpty() && !argv.isEmpty(); }
    /// argv with {connection_file} replaced and a bare python/python3 resolved (see .cpp).
    QStringList commandLine(const QString &connectionFile) const;

    /// Folders searched, in order: each $JUPYTER_PATH entry, $JUPYTER_DATA_DIR (else
    /// ~/.local/share/jupyter), /usr/local/share/jupyter, /usr/share/jupyter — each + "/kernels".
    static QStringList searchPaths();
    /// Every kernelspec found; the first folder holding a name wins (as in jupyter_client).
    static QList<KernelSpec> findAll();
    /// The kernelspec with this name, or an invalid one.
    static KernelSpec find(const QString &name);
    /// Reads <directory>/kernel.json; throws cairn::Error with the file name on a bad file.
    static KernelSpec load(const QString &directory);
};

} // namespace cairn
