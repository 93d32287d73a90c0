#pragma once

#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QCommandLineParser>
#include <QJsonDocument>
#include <QStringList>
#include <QTextStream>

#include <memory>

namespace cairn::cli {

/// Exit codes (docs/cli.md): 0 success; 1 the work failed; 2 a mistake in how the command was
/// called; 3 the input it names is missing or unusable (found before anything was created);
/// 130 stopped by Ctrl-C.
enum ExitCode { ExitOk = 0, ExitFailed = 1, ExitUsage = 2, ExitInput = 3, ExitInterrupted = 130 };

/// A mistake in how the command was called (exit code 2), as opposed to a failure (exit 1).
class UsageError : public Error
{
public:
    using Error::Error;
};

/// A data file, column or other input named on the command line is missing or unusable
/// (exit code 3); nothing was created.
class InputError : public Error
{
public:
    using Error::Error;
};

enum class Format { Table, Json, Csv };

/// What every subcommand gets: its arguments, the workspace, and where to print.
class Context
{
public:
    Context(QStringList arguments, QString workspacePath);

    QStringList arguments; ///< after the subcommand words
    QTextStream out;
    QTextStream err;

    Workspace &workspace();
    /// Parses `arguments` with parser (which already knows --workspace and --help); prints help
    /// and returns false for --help.
    bool parse(QCommandLineParser &parser, const QString &usage);
    Format format(const QCommandLineParser &parser, Format fallback = Format::Table) const;
    void printJson(const QJsonValue &value);

private:
    QString m_workspacePath;
    std::unique_ptr<Workspace> m_workspace;
};

QCommandLineOption formatOption();

int runExperimentsCommand(Context &context, const QString &verb);
int runRunsCommand(Context &context, const QString &verb);
int runWorkspaceCommand(Context &context, const QString &verb);

} // namespace cairn::cli
