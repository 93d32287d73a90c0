#include "filterlineedit.h"

#include "runcolumn.h"

#include "cairn/store/searchfilter.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QKeyEvent>
#include <QScrollBar>
#include <QStringListModel>

namespace cairn::panels {

namespace {
bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('.') || c == QLatin1Char('`')
           || c == QLatin1Char('-') || c == QLatin1Char('/') || c == QLatin1Char(':');
}
} // namespace

FilterLineEdit::FilterLineEdit(QWidget *parent)
    : QLineEdit(parent), m_completer(new QCompleter(this)), m_words(new QStringListModel(this))
{
    setClearButtonEnabled(true);
    m_completer->setModel(m_words);
    m_completer->setWidget(this);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchContains);
    m_completer->setMaxVisibleItems(12);
    connect(m_completer, qOverload<const QString &>(&QCompleter::activated), this, &FilterLineEdit::insertCompletion);
    setKeys({}, {}, {});
}

void FilterLineEdit::setKeys(const QStringList &metricKeys, const QStringList &paramKeys, const QStringList &tagKeys)
{
    QStringList words;
    for (const QString &k : metricKeys)
        words << QStringLiteral("metrics.") + quoteSearchKey(k);
    for (const QString &k : paramKeys)
        words << QStringLiteral("params.") + quoteSearchKey(k);
    for (const QString &k : tagKeys)
        words << QStringLiteral("tags.") + quoteSearchKey(k);
    for (const QString &a : SearchFilter::attributeNames())
        words << QStringLiteral("attributes.") + a;
    for (const char *keyword : {"AND", "OR", "NOT", "LIKE", "ILIKE", "IN", "IS NULL", "IS NOT NULL"})
        words << QString::fromLatin1(keyword);
    m_words->setStringList(words);
}

QStringList FilterLineEdit::completions() const
{
    return m_words->stringList();
}

void FilterLineEdit::setErrorState(bool error)
{
    setStyleSheet(error ? QStringLiteral("QLineEdit { border: 1px solid #d63a3a; border-radius: 2px; padding: 1px; }") : QString());
}

QString FilterLineEdit::wordAtCursor(int *start) const
{
    const QString t = text();
    int end = cursorPosition();
    int begin = end;
    while (begin > 0 && isWordChar(t.at(begin - 1)))
        --begin;
    if (start)
        *start = begin;
    return t.mid(begin, end - begin);
}

void FilterLineEdit::insertCompletion(const QString &completion)
{
    int start = 0;
    const QString word = wordAtCursor(&start);
    QString t = text();
    t.replace(start, word.size(), completion + QLatin1Char(' '));
    setText(t);
    setCursorPosition(start + int(completion.size()) + 1);
}

void FilterLineEdit::updatePopup()
{
    const QString word = wordAtCursor();
    if (word.size() < 1) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->setCompletionPrefix(word);
    if (m_completer->completionCount() == 0
        || (m_completer->completionCount() == 1 && m_completer->currentCompletion().compare(word, Qt::CaseInsensitive) == 0)) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->popup()->setCurrentIndex(m_completer->completionModel()->index(0, 0));
    QRect rect = cursorRect();
    rect.setWidth(m_completer->popup()->sizeHintForColumn(0) + m_completer->popup()->verticalScrollBar()->sizeHint().width());
    m_completer->complete(rect);
}

void FilterLineEdit::keyPressEvent(QKeyEvent *event)
{
    if (m_completer->popup()->isVisible()) {
        switch (event->key()) {
        case Qt::Key_Enter:
        case Qt::Key_Return:
        case Qt::Key_Escape:
        case Qt::Key_Tab:
        case Qt::Key_Backtab:
            event->ignore(); // the completer takes these
            return;
        default:
            break;
        }
    }
    if (event->key() == Qt::Key_Space && event->modifiers() & Qt::ControlModifier) {
        updatePopup(); // Ctrl+Space: complete on demand
        return;
    }
    QLineEdit::keyPressEvent(event);
    if (!event->text().isEmpty() && isWordChar(event->text().back()))
        updatePopup();
    else if (m_completer->popup()->isVisible() && !event->text().isEmpty())
        m_completer->popup()->hide();
}

} // namespace cairn::panels
