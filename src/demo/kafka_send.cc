#include "demo/kafka_send.h"

namespace sluice::demo {

rd_kafka_resp_err_t send_record(rd_kafka_t* producer, const char* topic, std::string_view key,
                                std::string_view value) {
  // rd_kafka_produceva rather than the producev macros, which expand to C casts.
  rd_kafka_vu_t parts[4];
  parts[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  parts[0].u.cstr = topic;
  parts[1].vtype = RD_KAFKA_VTYPE_KEY;
  parts[1].u.mem.ptr = const_cast<char*>(key.data());
  parts[1].u.mem.size = key.size();
  parts[2].vtype = RD_KAFKA_VTYPE_VALUE;
  parts[2].u.mem.ptr = const_cast<char*>(value.data());
  parts[2].u.mem.size = value.size();
  parts[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  parts[3].u.i = RD_KAFKA_MSG_F_COPY;
  rd_kafka_error_t* error = rd_kafka_produceva(producer, parts, 4);
  if (error == nullptr) return RD_KAFKA_RESP_ERR_NO_ERROR;
  auto code = rd_kafka_error_code(error);
  rd_kafka_error_destroy(error);
  return code;
}

}  // namespace sluice::demo
