using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;
using Optimizer.Engine.Reports;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Engine.Tests.Reports;

/// <summary>
/// Renders the digits report in headless Chromium (Debian's <c>chromium</c>, installed by .ci/run)
/// and checks the charts are drawn: in the rendered DOM every chart has bars with a non-empty box
/// and the stylesheet's colours, and the screenshot has pixels of those colours. Keeps the
/// screenshot next to the test assembly (Reports/digits_cnn.report.png) and prints its path.
/// </summary>
public sealed class ChromiumRenderTests(ITestOutputHelper output)
{
    private const string Chromium = TestNeeds.Chromium;

    // Writes what the browser laid out into attributes that --dump-dom then prints.
    private const string Probe = """
        <script>
        for (const svg of document.querySelectorAll('svg[data-chart]')) {
          const bars = [...svg.querySelectorAll('rect.bar')];
          const drawn = bars.filter(r => { const b = r.getBBox(), c = r.getBoundingClientRect(); return b.width > 0 && b.height > 0 && c.width > 0 && c.height > 0; });
          const box = svg.getBoundingClientRect();
          svg.setAttribute('data-bars', bars.length);
          svg.setAttribute('data-drawn', drawn.length);
          svg.setAttribute('data-box', Math.round(box.width) + 'x' + Math.round(box.height));
          svg.setAttribute('data-fills', [...new Set(drawn.map(r => getComputedStyle(r).fill))].join(';'));
        }
        document.body.setAttribute('data-probed', 'yes');
        </script>
        """;

    [ConditionalFact(Needs.Chromium, "data")]
    public void Digits_report_charts_are_drawn_in_headless_chromium()
    {
        var built = DigitsReport.Get();
        var report = DigitsReport.WithVerification(built.Report);
        var kept = Path.Combine(AppContext.BaseDirectory, "Reports");
        Directory.CreateDirectory(kept);
        foreach (var (fileName, bytes) in report.ToFiles())
            File.WriteAllBytes(Path.Combine(kept, fileName), bytes);
        var htmlPath = Path.Combine(kept, report.HtmlFileName);
        var screenshot = Path.Combine(kept, "digits_cnn.report.png");
        File.Delete(screenshot);

        var work = Path.Combine(Path.GetTempPath(), "optimizer-report-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            // 1. The DOM as laid out: the page plus a probe script (the report itself has none, and its
            //    Content-Security-Policy would refuse one, so the probed copy goes without the policy).
            var html = HtmlReportWriter.Write(report);
            var probed = Path.Combine(work, "probed.html");
            File.WriteAllText(probed, Regex.Replace(html, "<meta http-equiv=\"Content-Security-Policy\"[^>]*>\n", "").Replace("</body>", Probe + "\n</body>"));
            var dom = RunChromium(work, "dom", "--dump-dom", new Uri(probed).AbsoluteUri);
            Assert.Contains("data-probed=\"yes\"", dom);

            var expected = HtmlReportWriter.Charts(report).Count();
            var charts = Regex.Matches(dom, "<svg [^>]*data-chart=\"[^\"]+\"[^>]*>").Select(m => m.Value).ToList();
            Assert.Equal(expected, charts.Count);
            foreach (var chart in charts)
            {
                string Attribute(string name) => Regex.Match(chart, $" {name}=\"([^\"]*)\"").Groups[1].Value;
                output.WriteLine($"{Attribute("data-chart")}: {Attribute("data-drawn")} of {Attribute("data-bars")} bars drawn, box {Attribute("data-box")}, fills {Attribute("data-fills")}");
                Assert.True(int.Parse(Attribute("data-drawn")) > 0, $"chart {Attribute("data-chart")} has no drawn bar");
                Assert.Matches("^[1-9][0-9]*x[1-9][0-9]*$", Attribute("data-box"));
                Assert.Matches(@"rgb\(", Attribute("data-fills"));
                Assert.DoesNotContain("rgb(0, 0, 0)", Attribute("data-fills")); // the stylesheet's colours applied
            }

            // 2. The report itself, as a person sees it.
            RunChromium(work, "shot", $"--screenshot={screenshot}", "--window-size=1280,2000", new Uri(htmlPath).AbsoluteUri);
            Assert.True(File.Exists(screenshot), "Chromium wrote no screenshot");
            var (width, height, pixels) = Png.Decode(File.ReadAllBytes(screenshot));
            Assert.Equal((1280, 2000), (width, height));
            int Near(byte r, byte g, byte b) => pixels.Count(p => Math.Abs(p.R - r) <= 8 && Math.Abs(p.G - g) <= 8 && Math.Abs(p.B - b) <= 8);
            var after = Near(0x25, 0x63, 0xeb);
            var before = Near(0x9a, 0xa5, 0xb1);
            var error = Near(0xdc, 0x26, 0x26);
            output.WriteLine($"screenshot: {screenshot} ({width}x{height}; 'after' pixels {after}, 'before' {before}, 'error' {error})");
            Assert.True(after > 2000, $"too few pixels of the 'after' bars: {after}");
            Assert.True(before > 1000, $"too few pixels of the 'before' bars: {before}");
            Assert.True(error > 500, $"too few pixels of the error bars: {error}");
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private string RunChromium(string work, string profile, params string[] args)
    {
        var start = new ProcessStartInfo(Chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-extensions", "--hide-scrollbars",
                     "--user-data-dir=" + Path.Combine(work, "profile-" + profile),
                 }.Concat(args))
            start.ArgumentList.Add(arg);
        start.Environment["HOME"] = work;

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("Chromium did not finish in 120 s: " + stderr.Result);
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
            output.WriteLine($"chromium exited with {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>Just enough PNG decoding for Chromium's screenshots: 8-bit RGB or RGBA, not interlaced.</summary>
    private static class Png
    {
        public static (int Width, int Height, List<(byte R, byte G, byte B)> Pixels) Decode(byte[] file)
        {
            var idat = new MemoryStream();
            int width = 0, height = 0, channels = 0;
            for (var at = 8; at < file.Length;)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(at));
                var type = System.Text.Encoding.ASCII.GetString(file, at + 4, 4);
                var data = file.AsSpan(at + 8, length);
                if (type == "IHDR")
                {
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    Assert.Equal(8, data[8]);
                    Assert.Equal(0, data[12]);
                    channels = data[9] switch { 2 => 3, 6 => 4, var c => throw new NotSupportedException("PNG colour type " + c) };
                }
                else if (type == "IDAT")
                {
                    idat.Write(data);
                }

                at += 12 + length;
            }

            idat.Position = 0;
            using var inflated = new MemoryStream();
            using (var z = new ZLibStream(idat, CompressionMode.Decompress))
                z.CopyTo(inflated);
            var raw = inflated.ToArray();
            var stride = width * channels;
            var previous = new byte[stride];
            var current = new byte[stride];
            var pixels = new List<(byte, byte, byte)>(width * height);
            for (var y = 0; y < height; y++)
            {
                var filter = raw[y * (stride + 1)];
                raw.AsSpan(y * (stride + 1) + 1, stride).CopyTo(current);
                for (var i = 0; i < stride; i++)
                {
                    int a = i >= channels ? current[i - channels] : 0, b = previous[i], c = i >= channels ? previous[i - channels] : 0;
                    current[i] = (byte)(current[i] + filter switch
                    {
                        0 => 0,
                        1 => a,
                        2 => b,
                        3 => (a + b) / 2,
                        4 => Paeth(a, b, c),
                        _ => throw new NotSupportedException("PNG filter " + filter),
                    });
                }

                for (var x = 0; x < width; x++)
                    pixels.Add((current[x * channels], current[x * channels + 1], current[x * channels + 2]));
                (previous, current) = (current, previous);
            }

            return (width, height, pixels);
        }

        private static int Paeth(int a, int b, int c)
        {
            int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
    }
}
