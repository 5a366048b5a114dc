// Content-addressed staging through the test bed's sshd: an upload cut in the middle resumes
// and ends with the right hash; a dataset crosses once; a full disk says so and resumes.

#include "remote/file_digest.h"
#include "remote/file_staging.h"
#include "remote/sftp_session.h"
#include "remote/shell_quote.h"
#include "remote/ssh_session.h"
#include "tests/remote/test_bed.h"
#include "tests/runners/scratch_dir.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>
#include <random>

namespace {

using tl::remote::FileStager;
using tl::remote::SftpSession;
using tl::remote::shellQuote;
using tl::remote::SshSession;
using tl::remote::StagedFile;

std::filesystem::path
writeRandomFile(const std::filesystem::path &file, std::size_t bytes, unsigned seed)
{
    std::mt19937 random(seed);
    std::string data(bytes, '\0');
    for (char &c : data) {
        c = static_cast<char>(random() & 0xff);
    }
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary).write(data.data(), static_cast<std::streamsize>(bytes));
    return file;
}

// A logged-in session with SFTP and a stager on a remote root of this test process's own,
// removed at the end of the case.
struct StagingBed
{
    SshSession session = tl::testing::bedSession();
    std::string rootPath = "~/tl-test-" + std::to_string(::getpid()) + "/root with space";
    SftpSession sftp = openSftp(session);
    FileStager stager{session, sftp, rootPath};
    std::string root = absolute(stager);

    ~StagingBed() { (void)session.run("rm -rf ~/tl-test-" + std::to_string(::getpid())); }

    static SftpSession openSftp(SshSession &ssh)
    {
        auto opened = ssh.openSftp();
        REQUIRE(opened.ok());
        return std::move(opened).value();
    }
    static std::string absolute(FileStager &stager)
    {
        auto path = stager.absoluteRoot();
        REQUIRE(path.ok());
        return path.value();
    }
};

std::string remoteSha(SshSession &session, const std::string &path)
{
    auto out = session.run("sha256sum " + shellQuote(path));
    REQUIRE(out.ok());
    return out.value().out.substr(0, 64);
}

std::optional<std::uint64_t> remoteSize(SftpSession &sftp, const std::string &path)
{
    auto size = sftp.fileSize(path);
    REQUIRE(size.ok());
    return size.value();
}

} // namespace

TEST_CASE("An upload cut in the middle resumes from its .part and ends with the right hash",
          "[remote][sftp]")
{
    auto local = writeRandomFile(tl::testing::scratchDir("resume") / "train.bin", 6 << 20, 7);
    auto expected = tl::remote::sha256OfFile(local);
    REQUIRE(expected.ok());
    StagingBed bed;
    SshSession &session = bed.session;
    SftpSession &sftp = bed.sftp;
    FileStager &stager = bed.stager;

    std::stop_source cut;
    auto cutAfter2MiB = [&](std::uint64_t done, std::uint64_t, std::string_view what) {
        if (what == "train.bin" && done >= (2u << 20)) {
            cut.request_stop();
        }
    };
    auto interrupted = stager.stageFile(local, cut.get_token(), cutAfter2MiB);
    REQUIRE_FALSE(interrupted.ok());
    CHECK(interrupted.error().code == tl::base::ErrorCode::Cancelled);

    std::string remote = bed.root + "/datasets/" + expected.value() + "/train.bin";
    auto partSize = remoteSize(sftp, remote + ".part");
    REQUIRE(partSize.has_value());
    CHECK(*partSize >= (2u << 20));
    CHECK(*partSize < (6u << 20));
    CHECK_FALSE(remoteSize(sftp, remote).has_value());

    auto resumed = stager.stageFile(local);
    REQUIRE(resumed.ok());
    const StagedFile &staged = resumed.value();
    CHECK(staged.remote == remote);
    CHECK(staged.resumedFrom == *partSize);
    CHECK(staged.sentBytes == (6u << 20) - *partSize);
    CHECK(remoteSha(session, remote) == expected.value());
    CHECK_FALSE(remoteSize(sftp, remote + ".part").has_value());

    // Content addressed: the same bytes are not sent again.
    auto again = stager.stageFile(local);
    REQUIRE(again.ok());
    CHECK(again.value().alreadyThere);
    CHECK(again.value().sentBytes == 0);
}

TEST_CASE("A .part that is not a prefix of the file fails verification and is deleted",
          "[remote][sftp]")
{
    auto dir = tl::testing::scratchDir("bad-part");
    auto local = writeRandomFile(dir / "labels.bin", 100000, 1);
    auto other = writeRandomFile(dir / "other.bin", 40000, 2);
    auto sha = tl::remote::sha256OfFile(local);
    REQUIRE(sha.ok());
    StagingBed bed;
    SshSession &session = bed.session;
    SftpSession &sftp = bed.sftp;
    FileStager &stager = bed.stager;
    std::string remote = bed.root + "/datasets/" + sha.value() + "/labels.bin";
    REQUIRE(sftp.makeDirectories(bed.root + "/datasets/" + sha.value()).ok());
    REQUIRE(sftp.upload(other, remote + ".part", 0).ok());

    auto failed = stager.stageFile(local);
    REQUIRE_FALSE(failed.ok());
    CHECK_THAT(failed.error().message,
               Catch::Contains("does not match") && Catch::Contains(sha.value()));
    CHECK_FALSE(remoteSize(sftp, remote + ".part").has_value());

    auto retried = stager.stageFile(local);
    REQUIRE(retried.ok());
    CHECK(retried.value().resumedFrom == 0);
    CHECK(remoteSha(session, remote) == sha.value());
}

TEST_CASE("Staging a dataset names its files and folders on the host, and sends them once",
          "[remote][sftp]")
{
    auto dir = tl::testing::scratchDir("dataset");
    tl::proto::DatasetSpec dataset;
    dataset.set_format(tl::proto::DATASET_FORMAT_IDX);
    dataset.set_train_images(writeRandomFile(dir / "train-images", 5000, 3).string());
    dataset.set_train_labels(writeRandomFile(dir / "train-labels", 500, 4).string());
    dataset.set_test_images(writeRandomFile(dir / "test-images", 3000, 5).string());
    dataset.set_test_labels(writeRandomFile(dir / "test-labels", 300, 6).string());
    writeRandomFile(dir / "images/cat/1.png", 700, 8);
    writeRandomFile(dir / "images/dog/2.png", 900, 9);
    dataset.add_sources((dir / "images").string());

    StagingBed bed;
    SshSession &session = bed.session;
    FileStager &stager = bed.stager;

    std::uint64_t sent = 0;
    auto count = [&](std::uint64_t, std::uint64_t, std::string_view) {
        ++sent;
    };
    auto staged = stager.stageDataset(dataset, {}, count);
    REQUIRE(staged.ok());
    const auto &remote = staged.value();
    CHECK(remote.train_images()
          == bed.root + "/datasets/" + tl::remote::sha256OfFile(dir / "train-images").value()
                 + "/train-images");
    CHECK(remoteSha(session, remote.test_labels())
          == tl::remote::sha256OfFile(dir / "test-labels").value());
    REQUIRE(remote.sources_size() == 1);
    CHECK(remote.sources(0).ends_with("/images"));
    CHECK(remoteSha(session, remote.sources(0) + "/dog/2.png")
          == tl::remote::sha256OfFile(dir / "images/dog/2.png").value());

    // Staged again (the next run of a sweep): no file is hashed or sent a second time.
    std::uint64_t hashed = 0;
    auto countHashing = [&](std::uint64_t, std::uint64_t, std::string_view what) {
        hashed += what.starts_with("hashing") ? 1 : 0;
    };
    auto again = stager.stageDataset(dataset, {}, countHashing);
    REQUIRE(again.ok());
    CHECK(hashed == 0);
    CHECK(again.value().SerializeAsString() == remote.SerializeAsString());
    CHECK(sent > 0);
}

TEST_CASE("A full remote disk is one message naming the host and the file, and the upload "
          "resumes once there is room",
          "[remote][sftp]")
{
    const std::string full = tl::testing::bedVariable("TB_FULL_DIR");
    if (full.empty()) {
        WARN("skipped: the test bed has no small tmpfs for a full disk (TB_FULL_DIR is unset: "
             "mounting one failed, see tb_up's output)");
        return;
    }
    auto dir = tl::testing::scratchDir("full-disk");
    // The tmpfs holds 2 MiB: this file never fits, the other fits only without the blocker.
    auto big = writeRandomFile(dir / "big" / "train-images", 3 << 20, 11);
    auto local = writeRandomFile(dir / "fits" / "train.bin", 1 << 20, 12);
    auto sha = tl::remote::sha256OfFile(local);
    REQUIRE(sha.ok());

    SshSession session = tl::testing::bedSession();
    auto opened = session.openSftp();
    REQUIRE(opened.ok());
    SftpSession &sftp = opened.value();
    const std::string root = full + "/tl-full-" + std::to_string(::getpid());
    struct Cleanup
    {
        SshSession &ssh;
        std::string folder;
        ~Cleanup() { (void)ssh.run("rm -rf " + shellQuote(folder)); }
    } cleanup{session, root};
    FileStager stager(session, sftp, root);
    const std::string host = "tbuser@127.0.0.1:" + tl::testing::bedVariable("TB_SSH_PORT");

    tl::proto::DatasetSpec dataset;
    dataset.set_format(tl::proto::DATASET_FORMAT_IDX);
    dataset.set_train_images(big.string());
    auto tooBig = stager.stageDataset(dataset);
    REQUIRE_FALSE(tooBig.ok());
    CHECK(tooBig.error().context == host);
    CHECK_THAT(tooBig.error().message,
               Catch::StartsWith("the host's disk is full: " + root + "/datasets/")
                   && Catch::Contains("train-images needs") && Catch::Contains(".part"));
    auto bigSha = tl::remote::sha256OfFile(big);
    REQUIRE(bigSha.ok());
    const std::string bigPart = root + "/datasets/" + bigSha.value() + "/train-images.part";
    // What fit stays for a later upload.
    auto bigPartSize = remoteSize(sftp, bigPart);
    REQUIRE(bigPartSize.has_value());
    CHECK(*bigPartSize > 0);
    CHECK(*bigPartSize < (3u << 20));
    REQUIRE(sftp.remove(bigPart).ok());

    // Room for all but part of the file: the upload stops with the same message...
    auto blocked = session.run("head -c 1536K /dev/zero > " + shellQuote(root + "/blocker"));
    REQUIRE(blocked.ok());
    REQUIRE(blocked.value().exitStatus == 0);
    auto stopped = stager.stageFile(local);
    REQUIRE_FALSE(stopped.ok());
    CHECK(stopped.error().context == host);
    CHECK_THAT(stopped.error().message,
               Catch::Contains("disk is full") && Catch::Contains("train.bin needs"));
    const std::string remote = root + "/datasets/" + sha.value() + "/train.bin";
    auto partSize = remoteSize(sftp, remote + ".part");
    REQUIRE(partSize.has_value());
    CHECK(*partSize < (1u << 20));

    // ...and once the space is freed it resumes from its .part and ends whole.
    REQUIRE(sftp.remove(root + "/blocker").ok());
    auto resumed = stager.stageFile(local);
    INFO((resumed ? std::string() : resumed.error().describe()));
    REQUIRE(resumed.ok());
    CHECK(resumed.value().resumedFrom == *partSize);
    CHECK(remoteSha(session, remote) == sha.value());
    CHECK_FALSE(remoteSize(sftp, remote + ".part").has_value());
}
