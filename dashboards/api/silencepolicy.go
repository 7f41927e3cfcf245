package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/config"
	"github.com/campusguard/campusguard/alerting/lifecycle"
)

// Error codes of the silence policy.
const (
	codeSilenceForbidden = "silence_forbidden" // 403: the role may not silence these rules
	codeSilenceTooLong   = "silence_too_long"  // 400: a limit a shorter silence meets
)

// policyError returns the answer to a refusal of the silence policy, or
// nil when err is not one.
func policyError(err error) *apiError {
	var se *lifecycle.SilenceError
	if !errors.As(err, &se) {
		return nil
	}
	zhRules, enRules := ruleNames(se.Rules)
	limit := config.FormatDuration(se.Limit)
	switch se.Refusal {
	case lifecycle.RefusedAudience:
		return newError(http.StatusForbidden, codeSilenceForbidden,
			"您的角色不能静默这些告警类型（只能静默通知本单位的告警；不选告警类型即包括全部类型）："+zhRules,
			"your role may not silence these alert types (only alerts your agency is told of; no alert type means every type): "+enRules)
	case lifecycle.RefusedDrill:
		return newError(http.StatusForbidden, codeSilenceForbidden,
			"一键报警只能由公安静默（演练）："+zhRules,
			"only the police may silence the panic alarm (a drill): "+enRules)
	case lifecycle.RefusedTooLong:
		e := newError(http.StatusBadRequest, codeSilenceTooLong,
			"静默时长超过上限 "+limit, "the silence is longer than the maximum of "+limit)
		e.Body.Param = "duration"
		return e
	case lifecycle.RefusedDrillTooLong:
		e := newError(http.StatusBadRequest, codeSilenceTooLong,
			fmt.Sprintf("静默一键报警（演练）最长 %s：%s", limit, zhRules),
			fmt.Sprintf("a silence of the panic alarm (a drill) lasts at most %s: %s", limit, enRules))
		e.Body.Param = "duration"
		return e
	case lifecycle.RefusedTooFarAhead:
		e := newError(http.StatusBadRequest, codeSilenceTooLong,
			"开始时间须在 "+limit+" 之内", "the silence must start within "+limit)
		e.Body.Param = "starts_at"
		return e
	}
	return newError(http.StatusForbidden, codeSilenceForbidden, "静默被拒绝", "silence refused")
}

// ruleNames names up to six rules in Chinese and in English.
func ruleNames(ids []alerting.RuleID) (zh, en string) {
	const most = 6
	var z, e []string
	for i, id := range ids {
		if i == most {
			z = append(z, fmt.Sprintf("等 %d 类", len(ids)))
			e = append(e, fmt.Sprintf("and %d more", len(ids)-most))
			break
		}
		if info, ok := alerting.Info(id); ok {
			z = append(z, info.TitleZH+"（"+string(id)+"）")
			e = append(e, info.TitleEN+" ("+string(id)+")")
		} else {
			z, e = append(z, string(id)), append(e, string(id))
		}
	}
	return strings.Join(z, "、"), strings.Join(e, ", ")
}
