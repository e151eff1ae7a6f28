namespace Optimizer.Onnx.Tests.Conformance;

/// <summary>One model of the ONNX conformance suite and its test data sets (none for light/ models).</summary>
internal sealed record ConformanceCase(string Name, string ModelPath, IReadOnlyList<string> DataSets)
{
    public static IReadOnlyList<ConformanceCase> Discover(string suiteRoot)
    {
        var cases = new List<ConformanceCase>();
        foreach (var folder in new[] { "node", "pytorch-converted", "pytorch-operator", "simple" })
        {
            foreach (var caseDir in Directory.GetDirectories(Path.Combine(suiteRoot, folder)).Order(StringComparer.Ordinal))
            {
                var model = Path.Combine(caseDir, "model.onnx");
                if (File.Exists(model))
                {
                    var dataSets = Directory.GetDirectories(caseDir, "test_data_set_*").Order(StringComparer.Ordinal).ToArray();
                    cases.Add(new ConformanceCase($"{folder}/{Path.GetFileName(caseDir)}", model, dataSets));
                }
            }
        }

        // light/: real architectures; no inputs are shipped, so the ORT comparison feeds synthetic ones.
        foreach (var model in Directory.GetFiles(Path.Combine(suiteRoot, "light"), "*.onnx").Order(StringComparer.Ordinal))
        {
            cases.Add(new ConformanceCase($"light/{Path.GetFileName(model)}", model, []));
        }

        return cases;
    }

    public bool IsLight => Name.StartsWith("light/", StringComparison.Ordinal);

    public override string ToString() => Name;
}
