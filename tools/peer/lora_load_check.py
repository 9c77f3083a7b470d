"""Loads adapter files that Tenshot wrote (LoRA or DoRA, diffusers' file format) into diffusers' UNet, as
`load_lora_weights` does, and checks that every tensor arrived: no key left unused, none of the model's
adapter weights left unset, each loaded weight equal to the file's. With --golden, the same is first done
for the golden file and its UNet output is compared with the golden's (`out_with_dora` / `out_with_lora`),
which shows that the check itself reads files the way diffusers' users do. With --expected, the UNet
output with each Tenshot file on the golden inputs is compared with the output Tenshot computed.

    python3 tools/peer/lora_load_check.py --unet tiny-sd21/unet --inputs golden/unet.safetensors \
        --golden golden/dora/pytorch_lora_weights.safetensors golden/dora/train_step.safetensors:out_with_dora \
        tenshot-dora.safetensors [--expected tenshot-out.safetensors:out]
"""
import argparse
import sys

import torch
from diffusers import StableDiffusionPipeline, UNet2DConditionModel
from safetensors.torch import load_file


def load(unet, path, name):
    # what StableDiffusionPipeline.load_lora_weights does for the UNet, metadata (rank, alpha) included
    state, alphas, metadata = StableDiffusionPipeline.lora_state_dict(path, return_lora_metadata=True)
    StableDiffusionPipeline.load_lora_into_unet(state, network_alphas=alphas, unet=unet, adapter_name=name, metadata=metadata)
    file = load_file(path)
    params = {k: v for k, v in unet.named_parameters() if f".{name}." in k or k.endswith(f".{name}")}
    used, problems = set(), []
    for key, value in file.items():
        if not key.startswith("unet."):
            problems.append(f"key outside the UNet: {key}")
            continue
        module = key[len("unet."):]
        if module.endswith(".lora.down.weight"):
            target = module[: -len(".lora.down.weight")] + f".lora_A.{name}.weight"
        elif module.endswith(".lora.up.weight"):
            target = module[: -len(".lora.up.weight")] + f".lora_B.{name}.weight"
        elif module.endswith(".lora_magnitude_vector"):
            target = module[: -len(".lora_magnitude_vector")] + f".lora_magnitude_vector.{name}.weight"
        else:
            problems.append(f"unknown key: {key}")
            continue
        loaded = params.get(target)
        if loaded is None:
            problems.append(f"{key}: no parameter {target} in the model")
            continue
        used.add(target)
        diff = (loaded.detach().float().cpu() - value.float()).abs().max().item()
        if diff != 0:
            problems.append(f"{key}: loaded weight differs from the file by {diff:.3g}")
    unset = sorted(set(params) - used)
    if unset:
        problems.append(f"{len(unset)} adapter weights of the model not in the file, e.g. {unset[:3]}")
    kinds = {k.rsplit('.', 1)[-1] for k in file}
    print(f"{path}: {len(file)} tensors ({', '.join(sorted(kinds))}), {len(used)} loaded into diffusers' UNet, "
          f"{len(problems)} problems")
    for p in problems[:20]:
        print("   ", p)
    return not problems


def output(unet, inputs):
    with torch.no_grad():
        return unet(inputs["sample"], inputs["timestep"], inputs["encoder_hidden_states"]).sample


def tensor(spec):
    path, key = spec.split(":")
    return load_file(path)[key]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--unet", required=True, help="diffusers UNet folder the adapters were made for")
    parser.add_argument("--inputs", required=True, help="safetensors with sample, timestep, encoder_hidden_states")
    parser.add_argument("--golden", nargs=2, metavar=("FILE", "OUT:KEY"), help="golden adapter and its output")
    parser.add_argument("--expected", metavar="OUT:KEY", help="Tenshot's UNet output with the (first) file")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    inputs = load_file(args.inputs)
    ok = True
    if args.golden:
        unet = UNet2DConditionModel.from_pretrained(args.unet).eval()
        ok &= load(unet, args.golden[0], "golden")
        diff = (output(unet, inputs) - tensor(args.golden[1])).abs().max().item()
        print(f"golden adapter: diffusers' UNet output within {diff:.3g} of the golden's")
        ok &= diff <= 1e-5
    for i, path in enumerate(args.files):
        unet = UNet2DConditionModel.from_pretrained(args.unet).eval()
        base = output(unet, inputs)
        ok &= load(unet, path, f"tenshot{i}")
        out = output(unet, inputs)
        print(f"{path}: the adapter moves diffusers' UNet output by {(out - base).abs().max().item():.3g}")
        if args.expected and i == 0:
            diff = (out - tensor(args.expected)).abs().max().item()
            print(f"{path}: diffusers' UNet output with it within {diff:.3g} of Tenshot's")
            ok &= diff <= 1e-4
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
