namespace Optimizer.Onnx.Tests.Conformance;

/// <summary>What running a case's original and re-saved model in ONNX Runtime showed.</summary>
internal enum OrtOutcome
{
    /// <summary>The round trip itself failed, so nothing was run.</summary>
    NotRun,
    /// <summary>ONNX Runtime refused to load the original model (an operator or type it lacks).</summary>
    OrtRefusedLoad,
    /// <summary>An input is a sequence, map or optional (SequenceProto/OptionalProto data), which this harness does not feed.</summary>
    NonTensorInput,
    /// <summary>ONNX Runtime loaded the original but failed running it.</summary>
    OrtRefusedRun,
    /// <summary>Both models ran and every output matched bit for bit.</summary>
    Ran,
    /// <summary>The original model gives different outputs run to run (random operators), so outputs were not compared.</summary>
    Nondeterministic,
    /// <summary>The re-saved model failed to load or run, or its outputs differ: a round-trip bug.</summary>
    Mismatch,
}

/// <summary>The result of one conformance case; <paramref name="InferenceRefusal"/> is the coded error shape inference gave, if any.</summary>
internal sealed record CaseOutcome(string Name, bool Loaded, bool RoundTripEqual, bool ByteIdentical, OrtOutcome Ort, string? Detail,
    string? InferenceRefusal = null);
