namespace Optimizer.Passes.Data;

/// <summary>
/// One complete model run's inputs: a tensor for every model input, by input name.
/// <paramref name="FirstSample"/> and <paramref name="SampleCount"/> say which samples of the set
/// it carries: several when consecutive samples are batched on the model's symbolic first axis,
/// else one.
/// </summary>
/// <param name="FirstSample">The index of the first sample the feed carries.</param>
/// <param name="SampleCount">How many samples it carries.</param>
/// <param name="Inputs">A tensor for every model input, by name.</param>
/// <param name="Batched">True when the first axis of every input (and of outputs that keep it) counts the samples.</param>
public sealed record Feed(int FirstSample, int SampleCount, IReadOnlyDictionary<string, DataTensor> Inputs, bool Batched);
