#pragma once

#include "cairn/util/error.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace cairn {

/// A notebook file that cannot be read: the message names the file and, for broken JSON, the
/// line and column.
class NotebookError : public Error
{
public:
    using Error::Error;
};

enum class CellType { Code, Markdown, Raw };

/// One cell of an nbformat 4 notebook. The cell keeps the JSON object it was read from and only
/// rewrites the keys that are edited, so fields this class does not know survive a save.
class NotebookCell
{
public:
    explicit NotebookCell(CellType type = CellType::Code, const QString &source = {});
    /// Wraps a cell object read from a file (kept as is).
    static NotebookCell fromJson(const QJsonObject &object);

    CellType type() const;
    /// The cell_type string as written in the file ("code", "markdown", "raw" or unknown ones).
    QString typeName() const;
    /// Changes the type; outputs and execution_count are dropped or added as nbformat requires.
    void setType(CellType type);

    QString id() const;
    void setId(const QString &id);

    /// The source joined into one string (the file may hold a string or a list of lines).
    QString source() const;
    /// Stores the source as a list of lines (as nbformat writes it); no change if equal.
    void setSource(const QString &source);

    QJsonObject metadata() const;
    void setMetadata(const QJsonObject &metadata);
    QJsonObject attachments() const;

    /// Code cells: the nbformat outputs, and the execution count (0 when null).
    QJsonArray outputs() const;
    void setOutputs(const QJsonArray &outputs);
    int executionCount() const;
    void setExecutionCount(int count); ///< 0 writes null

    const QJsonObject &json() const { return m_json; }

private:
    QJsonObject m_json;
};

/// An nbformat 4 notebook. Reading and writing an unedited notebook gives back JSON equal to the
/// file's (cells, outputs, attachments and metadata this class does not know are kept).
class Notebook
{
public:
    /// An empty nbformat 4.5 notebook with one code cell.
    Notebook();

    /// Parses notebook JSON; throws NotebookError naming `fileName` (and line:column for syntax
    /// errors). nbformat 3 is converted to 4; older versions are refused.
    static Notebook fromJson(const QByteArray &data, const QString &fileName = QStringLiteral("<notebook>"));
    /// Reads a file; throws NotebookError.
    static Notebook load(const QString &path);

    /// nbformat's own layout (sorted keys, one-space indent, UTF-8 unescaped, trailing newline),
    /// so that files written by Jupyter diff cleanly after a save.
    QByteArray toJson() const;
    /// Writes atomically (temporary file then rename); throws Error.
    void save(const QString &path) const;

    int nbformat() const { return 4; }
    int nbformatMinor() const;
    /// Set when the file was nbformat 3 and converted on reading.
    bool wasConverted() const { return m_convertedFrom != 0; }
    int convertedFrom() const { return m_convertedFrom; }

    QList<NotebookCell> &cells() { return m_cells; }
    const QList<NotebookCell> &cells() const { return m_cells; }
    /// A new cell for this notebook (with an id when nbformat ≥ 4.5).
    NotebookCell makeCell(CellType type, const QString &source = {}) const;

    QJsonObject metadata() const;
    void setMetadata(const QJsonObject &metadata);
    /// metadata.kernelspec.name ("" when absent).
    QString kernelName() const;
    QString kernelDisplayName() const;
    /// Stores the kernel in metadata.kernelspec (name, display_name, language).
    void setKernelSpec(const QString &name, const QString &displayName, const QString &language);
    /// metadata.language_info.name, else metadata.kernelspec.language.
    QString language() const;

    QJsonObject toJsonObject() const;

private:
    QJsonObject m_root; ///< everything but "cells"
    QList<NotebookCell> m_cells;
    int m_convertedFrom = 0;
};

/// Serialises JSON the way Python's json.dumps(sort_keys=True, indent=1, ensure_ascii=False) does.
QByteArray writeNotebookJson(const QJsonValue &value);

/// Joins a multiline string field (string or list of strings).
QString joinMultiline(const QJsonValue &value);
/// Splits text into lines that keep their '\n', as nbformat stores multiline strings.
QJsonArray splitMultiline(const QString &text);

/// A new random cell id (8 hex digits, as JupyterLab makes them).
QString newCellId();

} // namespace cairn
