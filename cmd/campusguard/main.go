// Command campusguard is the one binary of campusguard: it ingests school
// security device messages from MQTT into InfluxDB (run), simulates a city
// of devices (sim), and manages the registry (registry gen|check|import|acl).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `campusguard — 校园安全“四个100%”与明厨亮灶实时监测 / school safety stream processor

用法 Usage:
  campusguard run      [flags]   接入设备消息、存储、告警 / ingest, store, serve
  campusguard sim      [flags]   模拟设备流量 / simulate device traffic
  campusguard registry gen    [-o file] [-schools N]   生成承德市演示登记册 / generate the demo registry
  campusguard registry check  file.yaml                校验登记册 / validate a registry
  campusguard registry import -schools s.csv -devices d.csv [-guards g.csv] [-o file]   CSV 批量导入 / bulk import
  campusguard registry acl    -registry R [-o acl] [-passwd F -credentials C]   Mosquitto ACL 与密码 / broker ACL and passwords
  campusguard check    -registry R [-rules F] [-notify N]   校验配置而不启动 / validate configuration without starting
  campusguard user add|passwd|del|token|hash|list -users users.yaml ...   用户与令牌 / users and API tokens
  campusguard version

"campusguard <command> -h" lists a command's flags.
`

var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "campusguard:", err)
		}
		os.Exit(2)
	}
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "run":
		return cmdRun(ctx, args[1:], stderr)
	case "sim":
		return cmdSim(ctx, args[1:], stderr)
	case "registry":
		return cmdRegistry(args[1:], stdout, stderr)
	case "check":
		return cmdCheck(args[1:], stdout, stderr)
	case "user":
		return cmdUser(args[1:], os.Stdin, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "campusguard", version)
		return nil
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
