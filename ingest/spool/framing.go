package spool

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// headerSize is the size of a record header: a little-endian u32 payload
// length followed by a little-endian u32 CRC-32C of the payload.
const headerSize = 8

// MaxRecordSize is the largest payload Append accepts.
const MaxRecordSize = 1 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Frame decoding failures. errShortFrame means the bytes end before the
// frame does; the other two mean the frame itself is damaged.
var (
	errShortFrame = errors.New("short frame")
	errBadLength  = errors.New("bad record length")
	errBadCRC     = errors.New("bad record crc")
)

// appendFrame appends payload to dst as one framed record.
func appendFrame(dst, payload []byte) []byte {
	return appendFrameCRC(dst, payload, checksum(payload))
}

// appendFrameCRC is appendFrame with the payload's checksum already
// computed, so that Append can do that outside its lock.
func appendFrameCRC(dst, payload []byte, crc uint32) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(payload)))
	dst = binary.LittleEndian.AppendUint32(dst, crc)
	return append(dst, payload...)
}

func checksum(payload []byte) uint32 { return crc32.Checksum(payload, castagnoli) }

// frameLen returns the total size of the frame at the start of b, whose
// header the caller knows to be valid (it wrote it).
func frameLen(b []byte) int {
	return headerSize + int(binary.LittleEndian.Uint32(b[0:4]))
}

// parseFrame decodes the frame at the start of b. It returns the payload
// (aliasing b) and the frame's total size. A zero length is invalid: a run
// of zero bytes, which is what a torn write often leaves, must not decode as
// a stream of empty records.
func parseFrame(b []byte) (payload []byte, n int, err error) {
	if len(b) < headerSize {
		return nil, 0, errShortFrame
	}
	length := binary.LittleEndian.Uint32(b[0:4])
	if length == 0 || length > MaxRecordSize {
		return nil, 0, errBadLength
	}
	n = headerSize + int(length)
	if len(b) < n {
		return nil, 0, errShortFrame
	}
	payload = b[headerSize:n]
	if checksum(payload) != binary.LittleEndian.Uint32(b[4:8]) {
		return nil, 0, errBadCRC
	}
	return payload, n, nil
}
