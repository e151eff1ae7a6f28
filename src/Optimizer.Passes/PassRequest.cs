namespace Optimizer.Passes;

/// <summary>
/// One pass a plan asks for, e.g. <c>new PassRequest("Quantize", { ["Mode"] = "DynamicInt8" })</c>.
/// Names and values are the attribute property names and values, as strings.
/// </summary>
/// <param name="Pass">The pass name, e.g. <c>Quantize</c>.</param>
/// <param name="Options">Its options; names are matched case-insensitively.</param>
public sealed record PassRequest(string Pass, IReadOnlyDictionary<string, string> Options);
