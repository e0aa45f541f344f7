#!/bin/sh
# Installs the one-folder build for the current user (no root): the program to ~/.local/opt/mediation-desk,
# the command to ~/.local/bin, the menu entry and the icons to ~/.local/share. Run it from the unpacked
# folder (dist/mediation-desk/). Running it again upgrades; the data in ~/.local/share/MediationDesk is
# never touched. Uninstall: rm -rf ~/.local/opt/mediation-desk ~/.local/bin/mediation-desk
# ~/.local/share/applications/mediation-desk.desktop ~/.local/share/icons/hicolor/*/apps/mediation-desk.png
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-$HOME/.local}
target="$prefix/opt/mediation-desk"
rm -rf "$target.new"
mkdir -p "$prefix/opt" "$prefix/bin" "$prefix/share/applications"
cp -a "$here" "$target.new"
rm -rf "$target.old"
[ -d "$target" ] && mv "$target" "$target.old"
mv "$target.new" "$target"
rm -rf "$target.old"
ln -sf "$target/mediation-desk" "$prefix/bin/mediation-desk"
for size in 48 128 256; do
  mkdir -p "$prefix/share/icons/hicolor/${size}x${size}/apps"
  cp "$here/share/icons/mediation-desk-$size.png" "$prefix/share/icons/hicolor/${size}x${size}/apps/mediation-desk.png"
done
sed "s|^Exec=.*|Exec=$target/mediation-desk|" "$here/share/mediation-desk.desktop" \
  > "$prefix/share/applications/mediation-desk.desktop"
echo "installed in $target; start it from the menu (调解工作台) or with: $prefix/bin/mediation-desk"
