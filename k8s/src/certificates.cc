// X.509 with OpenSSL: the webhook's self-signed certificate and the workers'
// mutual-TLS authority and certificate (certificates.h).
#include "aqueduct/k8s/certificates.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <utility>

#include "aqueduct/core/c_handle.h"
#include "aqueduct/k8s/webhook_server.h"

namespace aqueduct::k8s {
namespace {

using PkeyPtr = core::CHandle<EVP_PKEY, EVP_PKEY_free>;
using X509Ptr = core::CHandle<X509, X509_free>;
using BioPtr = core::CHandle<BIO, BIO_free>;
using BnPtr = core::CHandle<BIGNUM, BN_free>;

core::Status openssl_error(const std::string& what) {
  return core::internal_error("OpenSSL: " + what + " failed");
}

// What one certificate says about its subject.
struct CertSpec {
  std::string common_name;
  std::string subject_alt_names;  // "DNS:a,IP:1.2.3.4"; empty: none
  std::string basic_constraints;  // e.g. "critical,CA:TRUE"
  std::string key_usage;
  std::string ext_key_usage;  // empty: none
  int valid_days = 365;
};

std::string alt_names(const std::vector<std::string>& dns_names,
                      const std::vector<std::string>& ip_addresses) {
  std::string san;
  for (const auto& d : dns_names) san += (san.empty() ? "DNS:" : ",DNS:") + d;
  for (const auto& ip : ip_addresses) san += (san.empty() ? "IP:" : ",IP:") + ip;
  return san;
}

// A certificate for `subject_key`, signed by `issuer_key` as `issuer`
// (nullptr: self-signed), with a random 128-bit serial number.
core::Result<X509Ptr> make_certificate(EVP_PKEY* subject_key, X509* issuer, EVP_PKEY* issuer_key,
                                       const CertSpec& spec) {
  X509Ptr cert(X509_new());
  if (!cert) return openssl_error("X509_new");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return openssl_error("drawing a serial number");
  serial[0] &= 0x7f;  // positive
  BnPtr bn(BN_bin2bn(serial, sizeof serial, nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()))) {
    return openssl_error("setting the serial number");
  }
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400L * spec.valid_days);
  X509_set_pubkey(cert.get(), subject_key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                             -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, signer, cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] :
       {std::pair<int, std::string>{NID_subject_alt_name, spec.subject_alt_names},
        {NID_basic_constraints, spec.basic_constraints},
        {NID_key_usage, spec.key_usage},
        {NID_ext_key_usage, spec.ext_key_usage},
        {NID_subject_key_identifier, "hash"}}) {
    if (value.empty()) continue;
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (!ext) return openssl_error("certificate extension " + value);
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (!X509_sign(cert.get(), issuer_key, EVP_sha256())) return openssl_error("signing");
  return cert;
}

core::Result<std::string> to_pem(X509* cert, EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return openssl_error("BIO_new");
  const bool ok = cert != nullptr ? PEM_write_bio_X509(bio.get(), cert) == 1
                                  : PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0,
                                                             nullptr, nullptr) == 1;
  if (!ok) return openssl_error("writing PEM");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// Owner-only (0600), also when the file existed with a wider mode; a symlink
// in its place is refused.
core::Status write_private_file(const std::string& path, const std::string& content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 || ::fchmod(fd, 0600) != 0) {
    if (fd >= 0) ::close(fd);
    return core::io_error("cannot write " + path + " (owner-only, mode 0600)");
  }
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return core::io_error("cannot write " + path);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) return core::io_error("cannot write " + path);
  return core::Status::ok();
}

core::Status write_public_file(const std::string& path, const std::string& content) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return core::io_error("cannot write " + path);
  const bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  if (std::fclose(f) != 0 || !ok) return core::io_error("cannot write " + path);
  return core::Status::ok();
}

}  // namespace

core::Status write_self_signed_certificate(const std::string& cert_file,
                                           const std::string& key_file,
                                           const std::vector<std::string>& dns_names,
                                           const std::vector<std::string>& ip_addresses,
                                           int valid_days) {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return openssl_error("generating a P-256 key");
  CertSpec spec;
  spec.common_name = dns_names.empty()
                         ? (ip_addresses.empty() ? "aqueduct-webhook" : ip_addresses[0])
                         : dns_names[0];
  spec.subject_alt_names = alt_names(dns_names, ip_addresses);
  spec.basic_constraints = "critical,CA:TRUE";
  spec.key_usage = "critical,digitalSignature,keyCertSign";
  spec.ext_key_usage = "serverAuth";
  spec.valid_days = valid_days;
  AQ_ASSIGN_OR_RETURN(X509Ptr cert, make_certificate(key.get(), nullptr, key.get(), spec));
  AQ_ASSIGN_OR_RETURN(std::string cert_pem, to_pem(cert.get(), nullptr));
  AQ_ASSIGN_OR_RETURN(std::string key_pem, to_pem(nullptr, key.get()));
  AQ_RETURN_IF_ERROR(write_public_file(cert_file, cert_pem));
  return write_private_file(key_file, key_pem);
}

core::Result<IssuedTls> issue_mutual_tls(const std::vector<std::string>& dns_names,
                                         const std::vector<std::string>& ip_addresses,
                                         int valid_days) {
  if (dns_names.empty() && ip_addresses.empty()) {
    return core::invalid_argument("a worker certificate needs at least one DNS name or IP address");
  }
  if (valid_days < 1)
    return core::invalid_argument("a certificate must be valid for a day or more");
  PkeyPtr ca_key(EVP_EC_gen("P-256")), key(EVP_EC_gen("P-256"));
  if (!ca_key || !key) return openssl_error("generating a P-256 key");
  CertSpec ca;
  ca.common_name = "aqueduct worker CA";
  ca.basic_constraints = "critical,CA:TRUE,pathlen:0";
  ca.key_usage = "critical,keyCertSign,cRLSign";
  ca.valid_days = valid_days;
  AQ_ASSIGN_OR_RETURN(X509Ptr ca_cert, make_certificate(ca_key.get(), nullptr, ca_key.get(), ca));
  CertSpec leaf;
  leaf.common_name = dns_names.empty() ? ip_addresses[0] : dns_names[0];
  leaf.subject_alt_names = alt_names(dns_names, ip_addresses);
  leaf.basic_constraints = "critical,CA:FALSE";
  leaf.key_usage = "critical,digitalSignature";
  leaf.ext_key_usage = "serverAuth,clientAuth";
  leaf.valid_days = valid_days;
  AQ_ASSIGN_OR_RETURN(X509Ptr cert, make_certificate(key.get(), ca_cert.get(), ca_key.get(), leaf));
  IssuedTls out;
  AQ_ASSIGN_OR_RETURN(out.ca_cert_pem, to_pem(ca_cert.get(), nullptr));
  AQ_ASSIGN_OR_RETURN(out.cert_pem, to_pem(cert.get(), nullptr));
  AQ_ASSIGN_OR_RETURN(out.key_pem, to_pem(nullptr, key.get()));
  return out;
}

core::Status write_tls_files(const std::string& dir, const IssuedTls& tls) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return core::io_error("cannot create " + dir + ": " + ec.message());
  AQ_RETURN_IF_ERROR(write_public_file(dir + "/ca.crt", tls.ca_cert_pem));
  AQ_RETURN_IF_ERROR(write_public_file(dir + "/tls.crt", tls.cert_pem));
  return write_private_file(dir + "/tls.key", tls.key_pem);
}

}  // namespace aqueduct::k8s
