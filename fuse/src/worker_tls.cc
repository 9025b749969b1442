// Loading the workers' mutual-TLS files (worker_tls.h), checked with OpenSSL
// so that a wrong file is named at start-up, not in a failed handshake later.
#include "aqueduct/fuse/worker_tls.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <memory>

#include "aqueduct/core/c_handle.h"
#include "aqueduct/core/yaml/yaml_reader.h"

namespace aqueduct::fuse {
namespace {

using BioPtr = core::CHandle<BIO, BIO_free>;
using X509Ptr = core::CHandle<X509, X509_free>;
using PkeyPtr = core::CHandle<EVP_PKEY, EVP_PKEY_free>;

core::Result<std::string> read_file(const std::string& flag, const std::string& path) {
  auto text = core::read_text_file(path);
  if (!text) return core::Status(text.status().code(), flag + " " + path + ": cannot read it");
  if (text->empty()) return core::invalid_argument(flag + " " + path + ": the file is empty");
  return text;
}

BioPtr bio_of(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

core::Result<X509Ptr> parse_cert(const std::string& flag, const std::string& path,
                                 const std::string& pem) {
  BioPtr bio = bio_of(pem);
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) {
    return core::invalid_argument(flag + " " + path +
                                  ": expected a PEM certificate (-----BEGIN CERTIFICATE-----)");
  }
  return cert;
}

}  // namespace

core::Result<WorkerTls> load_worker_tls(const std::string& flag_prefix, const std::string& ca_file,
                                        const std::string& cert_file, const std::string& key_file) {
  const std::string ca_flag = flag_prefix + "-ca", cert_flag = flag_prefix + "-cert",
                    key_flag = flag_prefix + "-key";
  if (ca_file.empty() || cert_file.empty() || key_file.empty()) {
    return core::invalid_argument(ca_flag + ", " + cert_flag + " and " + key_flag +
                                  " go together: mutual TLS needs all three");
  }
  WorkerTls tls;
  AQ_ASSIGN_OR_RETURN(tls.ca_cert_pem, read_file(ca_flag, ca_file));
  AQ_ASSIGN_OR_RETURN(tls.cert_pem, read_file(cert_flag, cert_file));
  struct stat st {};
  if (::stat(key_file.c_str(), &st) == 0 && (st.st_mode & S_IROTH) != 0) {
    return core::invalid_argument(key_flag + " " + key_file +
                                  ": anyone on this machine can read it (chmod o-r)");
  }
  AQ_ASSIGN_OR_RETURN(tls.key_pem, read_file(key_flag, key_file));
  AQ_RETURN_IF_ERROR(parse_cert(ca_flag, ca_file, tls.ca_cert_pem).status());
  AQ_ASSIGN_OR_RETURN(X509Ptr cert, parse_cert(cert_flag, cert_file, tls.cert_pem));
  BioPtr bio = bio_of(tls.key_pem);
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) {
    return core::invalid_argument(key_flag + " " + key_file +
                                  ": expected an unencrypted PEM private key");
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return core::invalid_argument(key_flag + " " + key_file + ": this key does not belong to " +
                                  cert_flag + " " + cert_file);
  }
  return tls;
}

}  // namespace aqueduct::fuse
