namespace Optimizer.EndToEnd.Tests.RealData;

/// <summary>What the tests read from an engine's Markdown report (<c>&lt;Name&gt;.report.md</c>): its layer table.</summary>
internal sealed record ReportLayer(string Name, string Op, bool Quantized)
{
    /// <summary>
    /// The rows of the report's "## Layers" table: columns layer | op | … | quantized | …, where op is
    /// e.g. <c>MatMul</c> or <c>MatMul → MatMulInteger</c> and quantized starts with "yes" for a quantized layer.
    /// </summary>
    public static IReadOnlyList<ReportLayer> Read(string reportPath)
    {
        var lines = File.ReadAllLines(reportPath);
        var start = Array.IndexOf(lines, "## Layers");
        if (start < 0)
            throw new Xunit.Sdk.XunitException($"{reportPath} has no '## Layers' section");
        var table = lines.Skip(start + 1).SkipWhile(line => !line.StartsWith('|')).TakeWhile(line => line.StartsWith('|')).ToList();
        var header = Cells(table[0]);
        int op = header.IndexOf("op"), quantized = header.IndexOf("quantized");
        return table.Skip(2).Select(Cells).Select(cells => new ReportLayer(cells[0], cells[op], cells[quantized].StartsWith("yes", StringComparison.Ordinal))).ToList();
    }

    private static List<string> Cells(string row) => row.Trim().Trim('|').Split('|').Select(cell => cell.Trim()).ToList();
}
