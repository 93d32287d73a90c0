#include "clicontext.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cstdio>

namespace cairn::cli {

Context::Context(QStringList args, QString workspacePath)
    : arguments(std::move(args)), out(stdout), err(stderr), m_workspacePath(std::move(workspacePath))
{
}

Workspace &Context::workspace()
{
    if (!m_workspace)
        m_workspace = std::make_unique<Workspace>(Workspace::resolvePath(m_workspacePath));
    return *m_workspace;
}

bool Context::parse(QCommandLineParser &parser, const QString &usage)
{
    parser.setApplicationDescription(usage);
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    parser.addOption(help);
    parser.addOption(QCommandLineOption(QStringLiteral("workspace"), QStringLiteral("Workspace folder."), QStringLiteral("DIR")));
    if (!parser.parse(QStringList{QStringLiteral("cairn")} + arguments))
        throw UsageError(parser.errorText());
    if (parser.isSet(help)) {
        out << parser.helpText();
        out.flush();
        return false;
    }
    if (parser.isSet(QStringLiteral("workspace")))
        m_workspacePath = parser.value(QStringLiteral("workspace"));
    return true;
}

QCommandLineOption formatOption()
{
    return QCommandLineOption(QStringLiteral("format"), QStringLiteral("Output format: table, json or csv."), QStringLiteral("FORMAT"));
}

Format Context::format(const QCommandLineParser &parser, Format fallback) const
{
    if (!parser.isSet(QStringLiteral("format")))
        return fallback;
    const QString value = parser.value(QStringLiteral("format")).toLower();
    if (value == QLatin1String("table") || value == QLatin1String("text"))
        return Format::Table;
    if (value == QLatin1String("json"))
        return Format::Json;
    if (value == QLatin1String("csv"))
        return Format::Csv;
    throw UsageError(QStringLiteral("unknown --format '%1': use table, json or csv").arg(value));
}

void Context::printJson(const QJsonValue &value)
{
    const QJsonDocument doc = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    out << doc.toJson(QJsonDocument::Indented);
    out.flush();
}

} // namespace cairn::cli
