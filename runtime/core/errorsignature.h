#pragma once

#include <QString>

namespace qd {

// Groups failures that are "the same error": the text with URLs, ids, hosts' numbers and
// other numbers replaced by placeholders, so "HTTP 404 from https://a/1.png" and
// "HTTP 404 from https://a/2.png" share a signature.
QString errorSignature(const QString &error);

} // namespace qd
