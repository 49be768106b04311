#pragma once

#include "blobstore.h"

#include <QString>

#include <functional>
#include <memory>

namespace qd {

class Clock;
class Consumer;
class HistoryStore;

// Settings shared by uploads and the image consumer, so a file that can be uploaded can
// also be fetched, and the other way round.
struct ImagePipelineSettings {
    qint64 maxImageBytes = BlobStore::kDefaultMaxBytes; // uploads and downloads alike
    int fetchTimeoutMs = 30'000; // connect + read, per image
    int maxRedirects = 5;
    bool allowFileUrls = false; // file:// reads local files: off unless the user says so
    // Which addresses a fetch may connect to (see AddressPolicy): link-local and cloud
    // metadata never; private ranges only when the user says so; loopback, which local
    // development needs, unless turned off.
    bool allowPrivateUrls = false;
    bool allowLoopbackUrls = true;
    int allocationLimitMb = 256; // decoded pixels; a decompression bomb is refused
    int thumbnailSize = 256; // longest side of the stored PNG thumbnail
};

// What an image consumer is built from. Everything here lives on the runtime thread.
struct ImageConsumerContext {
    HistoryStore *store = nullptr; // where the results go
    const Clock *clock = nullptr;
    BlobStore *blobs = nullptr;
    QString blobBaseUrl; // this server's "http://host:port/blobs/", read from `blobs` directly
    ImagePipelineSettings settings;
};

// The image consumer decodes with QImageReader, which lives in Qt Gui; the runtime links
// no Gui, so the application hands it a factory (see imaging/).
using ImageConsumerFactory = std::function<std::shared_ptr<Consumer>(const ImageConsumerContext &)>;

} // namespace qd
