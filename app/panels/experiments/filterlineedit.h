#pragma once

#include <QLineEdit>

class QCompleter;
class QStringListModel;

namespace cairn::panels {

/// The filter bar's editor: completes the word under the cursor (metrics.…, params.…, tags.…,
/// attributes and keywords), not the whole line, and marks itself when the filter has an error.
class FilterLineEdit : public QLineEdit
{
    Q_OBJECT
public:
    explicit FilterLineEdit(QWidget *parent = nullptr);

    /// Keys known in the current experiments; builds the completion list.
    void setKeys(const QStringList &metricKeys, const QStringList &paramKeys, const QStringList &tagKeys);
    QStringList completions() const;
    QCompleter *completer() const { return m_completer; }
    /// Red frame while the text has an error.
    void setErrorState(bool error);
    /// The word under the cursor that completion works on, and where it starts.
    QString wordAtCursor(int *start = nullptr) const;

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    void insertCompletion(const QString &completion);
    void updatePopup();

    QCompleter *m_completer;
    QStringListModel *m_words;
};

} // namespace cairn::panels
