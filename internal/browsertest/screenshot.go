package browsertest

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"

	"github.com/chromedp/chromedp"
)

// Where screenshots go, relative to the module root: every run writes the
// git-ignored FailureDir; EnvUpdateScreenshots=1 also writes the docs'
// copies, each at most DocsMaxPNGBytes.
const (
	DocsScreenshotDir = "docs/screenshots"
	DocsMaxPNGBytes   = 300 << 10
)

// Screenshot saves the viewport as <name>.png in the git-ignored folder
// and, when EnvUpdateScreenshots=1 and doc is not "", as docs/screenshots/
// <doc>.png (recompressed, and scaled down if it is over DocsMaxPNGBytes).
func (b *Tab) Screenshot(name, doc string) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, WaitFloor)
	defer cancel()
	// Let the last render reach the screen: two animation frames.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](
		`new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())))`, chromedp.EvalAwaitPromise)); err != nil {
		b.Fail("settle before screenshot", err)
	}
	data, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.Fail("screenshot "+name, err)
	}
	root := ModuleRoot(b.T)
	dir := filepath.Join(root, FailureDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.T.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), data, 0o644); err != nil {
		b.T.Fatal(err)
	}
	if doc == "" || os.Getenv(EnvUpdateScreenshots) != "1" {
		return
	}
	small, err := DocPNG(data, DocsMaxPNGBytes)
	if err != nil {
		b.T.Fatalf("screenshot %s: %v", name, err)
	}
	ddir := filepath.Join(root, DocsScreenshotDir)
	if err := os.MkdirAll(ddir, 0o755); err != nil {
		b.T.Fatal(err)
	}
	out := filepath.Join(ddir, doc+".png")
	if err := os.WriteFile(out, small, 0o644); err != nil {
		b.T.Fatal(err)
	}
	b.T.Logf("wrote %s (%d KB)", out, len(small)>>10)
}

// DocPNG recompresses a PNG at best compression and shrinks it by 3/4 at
// a time until it fits in limit bytes.
func DocPNG(data []byte, limit int) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	for range 4 {
		var buf bytes.Buffer
		if err := enc.Encode(&buf, img); err != nil {
			return nil, err
		}
		if buf.Len() <= limit {
			return buf.Bytes(), nil
		}
		img = shrink(img, 3, 4)
	}
	return nil, errors.New("PNG still too large after scaling")
}

// shrink resizes src by num/den with a box filter (area average), which
// keeps text readable when shrinking.
func shrink(src image.Image, num, den int) image.Image {
	sb := src.Bounds()
	w, h := sb.Dx()*num/den, sb.Dy()*num/den
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		y0, y1 := y*den/num, (y+1)*den/num
		for x := range w {
			x0, x1 := x*den/num, (x+1)*den/num
			var r, g, bl, n uint32
			for sy := y0; sy < max(y1, y0+1); sy++ {
				for sx := x0; sx < max(x1, x0+1); sx++ {
					cr, cg, cb, _ := src.At(sb.Min.X+sx, sb.Min.Y+sy).RGBA()
					r, g, bl, n = r+cr, g+cg, bl+cb, n+1
				}
			}
			i := dst.PixOffset(x, y)
			dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = uint8(r/n>>8), uint8(g/n>>8), uint8(bl/n>>8), 0xff
		}
	}
	return dst
}
