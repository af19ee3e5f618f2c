#pragma once

// The inverted lists of the collection's IVF indexes, and the file I/O that lets them be
// used straight from a memory-mapped index file.
//
// Why not FAISS's own lists: ArrayInvertedLists must be read into freshly allocated memory
// at open (on a 100k × 704 collection: 286 MB zero-filled and copied, ~1.2 s of CPU before
// the first query by image), and FAISS's mapped mode (IO_FLAG_MMAP) points into its file
// format, which puts the lists at unaligned offsets (floats and 64-bit ids read through
// misaligned pointers: undefined behaviour that UBSan reports). These lists are written
// with the ids and vectors at 64-byte-aligned offsets of the index file, are used from the
// mapping when read through a MappedFileReader, and copy one list into memory the first
// time that list is changed (an add, a removal), so that a collection that is only
// searched never copies anything.

#include "util/result.h"

#include <QString>

#include <faiss/impl/io.h>
#include <faiss/invlists/InvertedLists.h>

#include <memory>
#include <string>
#include <vector>

namespace lookalike {

// A whole file mapped read-only. The lists that point into it share its ownership, so it
// stays mapped while any of them lives, even after the file was replaced on disk (the index
// is only ever replaced by rename, never rewritten in place: a file truncated under a
// mapping would fault on access).
class MappedFile final
{
public:
    static Result<std::shared_ptr<const MappedFile>> open(const QString &path);
    ~MappedFile();
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;

    const unsigned char *data() const { return m_data; }
    size_t size() const { return m_size; }
    // Asks the kernel to start reading the whole file in (a cold open then reads ahead
    // instead of faulting page by page).
    void willNeed() const;

private:
    MappedFile(const unsigned char *data, size_t size) : m_data(data), m_size(size) {}
    const unsigned char *m_data;
    size_t m_size;
};

// A FAISS reader over a MappedFile. The IVF lists read through it stay in the mapping.
class MappedFileReader final : public faiss::IOReader
{
public:
    explicit MappedFileReader(std::shared_ptr<const MappedFile> file);
    size_t operator()(void *ptr, size_t size, size_t nitems) override;

    const std::shared_ptr<const MappedFile> &file() const { return m_file; }
    size_t offset() const { return m_offset; }
    size_t remaining() const { return m_file->size() - m_offset; }
    void skip(size_t bytes);

    // The shape of the IVF lists the file should hold. FAISS leaks the index it was reading
    // when a part of it throws; given this, lists that fail their checks come back as
    // IvfLists::damage() instead of an exception, and the caller frees the index.
    void expectLists(size_t nlist, size_t codeSize);
    size_t expectedNlist() const { return m_expectedNlist; }
    size_t expectedCodeSize() const { return m_expectedCodeSize; }

private:
    std::shared_ptr<const MappedFile> m_file;
    size_t m_offset = 0;
    size_t m_expectedNlist = 0;
    size_t m_expectedCodeSize = 0;
};

// A FAISS writer that knows how many bytes precede the next one in its file, so that list
// data can be padded to an aligned offset. A writer that is not one gets unpadded lists,
// which a reader then copies instead of mapping.
class OffsetWriter : public faiss::IOWriter
{
public:
    virtual quint64 offset() const = 0;
};

// IVF lists of fixed-size codes (IVFFlat: code_size = d × 4 bytes). A list is either a view
// of a mapped file or owned vectors; add, update and resize copy a mapped list first. Lists
// are independent: FAISS adds to different lists from different threads at once.
class IvfLists final : public faiss::InvertedLists
{
public:
    IvfLists(size_t nlist, size_t codeSize);
    // Takes the vectors of FAISS's own lists (an index built or saved before these lists).
    static IvfLists *adopt(faiss::ArrayInvertedLists &array);

    size_t list_size(size_t list) const override { return m_lists[list].size; }
    const uint8_t *get_codes(size_t list) const override { return m_lists[list].codes; }
    const idx_t *get_ids(size_t list) const override { return m_lists[list].ids; }

    size_t add_entries(size_t list, size_t n, const idx_t *ids, const uint8_t *codes) override;
    void update_entries(size_t list, size_t offset, size_t n, const idx_t *ids, const uint8_t *codes) override;
    void resize(size_t list, size_t newSize) override;

    // Lists still read from the mapped file, and the bytes they cover.
    size_t mappedLists() const;
    quint64 mappedBytes() const;
    // Drops spare capacity of owned lists (after a build that grew them by doubling).
    void shrinkToFit();
    // Why the lists read from a file were rejected (see MappedFileReader::expectLists), or
    // empty. Damaged lists are empty.
    const std::string &damage() const { return m_damage; }

    // Registers the FAISS I/O hook for this class (fourcc "ilLk"); idempotent.
    static void registerIo();

private:
    friend struct IvfListsIo;
    struct List
    {
        // What readers use: into `ownedCodes`/`ownedIds`, or into the mapping.
        const uint8_t *codes = nullptr;
        const idx_t *ids = nullptr;
        size_t size = 0;
        bool mapped = false;
        std::vector<uint8_t> ownedCodes;
        std::vector<idx_t> ownedIds;
    };
    List &owned(size_t list); // the list, copied out of the mapping first if needed
    static void point(List &l);

    std::vector<List> m_lists;
    std::shared_ptr<const MappedFile> m_file; // set when some list points into it
    std::string m_damage;
};

} // namespace lookalike
