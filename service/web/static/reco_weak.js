// Weak recommendations (issue #14): when no candidate shares enough content with the record,
// the list says 没有合适的匹配 and marks the nearest candidates as weak instead of filling cards.
import { lang } from './i18n.js';

const TEXT = {
  none: ['没有合适的匹配，以下为最接近的候选（弱匹配）', 'No good match; the nearest candidates (weak) follow'],
  weak: ['弱匹配', 'weak match'],
};

function say(key) {
  return TEXT[key][lang() === 'en' ? 1 : 0];
}

// A note for the top of the list, or null when some candidate fits.
export function noGoodMatchNote(answer) {
  if (!answer.no_good_match) return null;
  const p = document.createElement('p');
  p.className = 'notice no-good-match';
  p.textContent = say('none');
  return p;
}

// Marks a recommendation's list item as weak (a chip and a class); returns the item.
export function markWeak(li, item) {
  if (!item.weak) return li;
  li.classList.add('weak');
  const chip = document.createElement('span');
  chip.className = 'chip weak';
  chip.textContent = say('weak');
  li.prepend(chip, ' ');
  return li;
}
