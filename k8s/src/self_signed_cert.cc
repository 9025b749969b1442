#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "aqueduct/k8s/webhook_server.h"

namespace aqueduct::k8s {
namespace {

template <auto Fn>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Fn(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using FilePtr = std::unique_ptr<FILE, Deleter<std::fclose>>;

core::Status openssl_error(const std::string& what) {
  return core::internal_error("OpenSSL: " + what + " failed");
}

}  // namespace

core::Status write_self_signed_certificate(const std::string& cert_file,
                                           const std::string& key_file,
                                           const std::vector<std::string>& dns_names,
                                           const std::vector<std::string>& ip_addresses,
                                           int valid_days) {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return openssl_error("generating a P-256 key");
  X509Ptr cert(X509_new());
  if (!cert) return openssl_error("X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400L * valid_days);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  std::string cn = dns_names.empty() ? (ip_addresses.empty() ? "aqueduct-webhook" : ip_addresses[0])
                                     : dns_names[0];
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  std::string san;
  for (const auto& d : dns_names) san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& ip : ip_addresses) san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair<int, std::string>{NID_subject_alt_name, san},
                            {NID_basic_constraints, "critical,CA:TRUE"},
                            {NID_key_usage, "critical,digitalSignature,keyCertSign"},
                            {NID_ext_key_usage, "serverAuth"}}) {
    if (value.empty()) continue;
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (!ext) return openssl_error("certificate extension " + value);
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (!X509_sign(cert.get(), key.get(), EVP_sha256())) return openssl_error("signing");
  FilePtr cf(std::fopen(cert_file.c_str(), "w"));
  if (!cf) return core::io_error("cannot write " + cert_file);
  if (!PEM_write_X509(cf.get(), cert.get())) return core::io_error("cannot write " + cert_file);
  // The key is readable by its owner only (0600), also when the file existed
  // with a wider mode; a symlink in its place is refused.
  int kfd = ::open(key_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (kfd < 0 || ::fchmod(kfd, 0600) != 0) {
    if (kfd >= 0) ::close(kfd);
    return core::io_error("cannot write " + key_file + " (owner-only, mode 0600)");
  }
  FilePtr kf(::fdopen(kfd, "w"));
  if (!kf) {
    ::close(kfd);
    return core::io_error("cannot write " + key_file);
  }
  if (!PEM_write_PrivateKey(kf.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)) {
    return core::io_error("cannot write " + key_file);
  }
  return core::Status::ok();
}

}  // namespace aqueduct::k8s
